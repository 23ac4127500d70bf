import { DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { HttpLogger } from 'pino-http';
import { AppConfig } from '../config/app-config';
import { createHttpLogger, createRootLogger } from './loggers';

/**
 * The request-logging middleware. createApp mounts it before the body parser, so a request rejected
 * there (malformed JSON, too large) still gets a request id and a log line.
 */
export class RequestLogger {
  constructor(readonly middleware: HttpLogger) {}
}

/**
 * Structured logs through nestjs-pino. Nest's own `Logger` (used across the code) writes through it
 * once createApp calls `app.useLogger`; inside a request every line carries that request's `requestId`.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    const logger = createRootLogger(config);
    return {
      module: LoggingModule,
      // useExisting: nestjs-pino only binds the request's logger (set by RequestLogger) to the async
      // context; it does not mount a second pino-http of its own.
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true })],
      providers: [{ provide: RequestLogger, useValue: new RequestLogger(createHttpLogger(logger)) }],
      exports: [RequestLogger],
    };
  }
}
