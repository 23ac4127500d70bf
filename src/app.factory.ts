import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { InvalidInputError } from './common/domain-errors';
import { rejectHostileJson } from './common/hostile-json';
import { HttpErrorFilter, toErrorBody } from './common/http-error.filter';
import { JSON_MEDIA_TYPES, rejectNestedIds, requireJsonBody } from './common/request-shape';
import { AppConfig } from './config/app-config';
import { workerRoutesOnly } from './lifecycle/worker-routes';
import { RequestLogger } from './logging/logging.module';
import { keepSignedBody } from './runs/raw-body';

/** Posts carry up to 1 MiB of Markdown; JSON escaping can grow that, so the parser allows a margin. */
export const JSON_BODY_LIMIT = '3mb';

function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const messages = (list: typeof errors, path: string): string[] =>
        list.flatMap((e) => {
          const name = path === '' ? e.property : `${path}.${e.property}`;
          const own = Object.values(e.constraints ?? {}).map((m) => (path === '' ? m : `${path}.${m}`));
          return [...own, ...messages(e.children ?? [], name)];
        });
      return new InvalidInputError(messages(errors, ''));
    },
  });
}

function swagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Blog back-office API')
      .setDescription('Authors and posts stored in S3; every change that affects the published site requests a coalesced GitHub deploy.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
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
  // First: every request gets a request id and a log line, even one the body parser rejects.
  app.use(app.get(RequestLogger).middleware);
  // A worker serves only the health probes (src/lifecycle/worker-routes.ts).
  if (config.role === 'worker') app.use(workerRoutesOnly);
  app.use(rejectNestedIds, express.json({ limit: JSON_BODY_LIMIT, strict: true, type: JSON_MEDIA_TYPES, verify: keepSignedBody }), requireJsonBody, rejectHostileJson);
  // body-parser errors (malformed JSON, too large) happen before Nest's filters: answer them in the same shape.
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const body = toErrorBody(error);
    res.status(body.statusCode).json(body);
  });
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  // No enableShutdownHooks here: main.ts handles SIGTERM/SIGINT (src/lifecycle/shutdown-signals.ts); tests call app.close().
  swagger(app);
  return app;
}
