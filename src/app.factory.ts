import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ErrorDto } from './common/api-docs';
import { InvalidInputError } from './common/domain-errors';
import { validationMessages } from './common/validation-messages';
import { HttpErrorFilter, toErrorBody } from './common/http-error.filter';
import { completeDocument } from './common/openapi-document';
import { JsonBodyInterceptor } from './common/json-body.interceptor';
import { rejectNestedIds } from './common/request-shape';
import { AppConfig } from './config/app-config';
import { workerRoutesOnly } from './lifecycle/worker-routes';
import { RequestLogger } from './logging/logging.module';

function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    // `value` tells a missing field from a bad one; it never reaches a message.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => new InvalidInputError(validationMessages(errors)),
  });
}

function swagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Blog back-office API')
      .setDescription(
        'Authors and posts stored in S3; every change that affects the published site requests a coalesced GitHub deploy.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'One of the tokens in API_TOKENS' })
      .build(),
    { extraModels: [ErrorDto] },
  );
  completeDocument(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

/** Builds the HTTP application. main.ts, the dev runner and the tests all start the service through here. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
    // Throw instead of process.exit(1) on a start-up error: main.ts reports it in one line, and a test sees a
    // failed boot as a failed test (instead of a killed jest worker leaving its redis-server behind).
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // ETags are the entities' own (S3's, set by the controllers); Express's body hashes on lists and errors
  // would be mistaken for them and sent back as If-Match.
  app.set('etag', false);
  // First: every request gets a request id and a log line, even one the body parser rejects.
  app.use(app.get(RequestLogger).middleware);
  // A worker serves only the health probes (src/lifecycle/worker-routes.ts).
  if (config.role === 'worker') app.use(workerRoutesOnly);
  app.use(rejectNestedIds);
  // Errors of Express middleware happen before Nest's filters: answer them in the same shape.
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const body = toErrorBody(error);
    res.status(body.statusCode).json(body);
  });
  // The body is read after the guards (authentication) passed, not by an Express middleware before them.
  app.useGlobalInterceptors(new JsonBodyInterceptor());
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  // No enableShutdownHooks here: main.ts handles SIGTERM/SIGINT (src/lifecycle/shutdown-signals.ts); tests call app.close().
  swagger(app);
  return app;
}
