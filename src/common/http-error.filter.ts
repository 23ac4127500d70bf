import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { DomainError, InvalidInputError } from './domain-errors';
import { RepeatedLog } from './repeated-log';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

function bodyFor(status: number, message: string | string[]): ErrorBody {
  return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
}

/** Errors thrown by body-parser carry an HTTP status (400 malformed JSON, 413 too large, 415 charset). */
function isHttpClientError(error: unknown): error is { status: number; type?: string; message: string } {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 && 'expose' in (error as object);
}

/** Turns any error into Nest's JSON error shape. Unknown errors become a bare 500: no stack, no internals. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof InvalidInputError) return bodyFor(400, error.problems);
  if (error instanceof DomainError) return bodyFor(error.status, error.message);
  if (error instanceof HttpException) {
    const response = error.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? (response as { message: string | string[] }).message
        : error.message;
    return bodyFor(error.getStatus(), message);
  }
  if (isHttpClientError(error)) {
    const message =
      error.status === 413
        ? 'request body is too large'
        : error.status === 400
          ? 'request body is not valid JSON'
          : error.message;
    return bodyFor(error.status, message);
  }
  return bodyFor(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
}

/**
 * Terminus answers a failed readiness check with a 503 whose body is the check report
 * (`{ status, info, error, details }`); clients read that state from the response, so it is kept.
 */
function healthReport(error: unknown): object | undefined {
  if (!(error instanceof HttpException)) return undefined;
  const response = error.getResponse();
  return typeof response === 'object' && response !== null && 'details' in response && !('message' in response)
    ? response
    : undefined;
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');
  private readonly repeated = new RepeatedLog(this.logger);

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const report = healthReport(error);
    if (report !== undefined && !response.headersSent) {
      response.status((error as HttpException).getStatus()).json(report);
      return;
    }
    const body = toErrorBody(error);
    // A domain error says what failed in words (a backing service away, say): one line, not repeated within 10 s.
    if (body.statusCode >= 500 && error instanceof DomainError) this.repeated.warn(`${error.name}: ${error.message}`);
    else if (body.statusCode >= 500)
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    if (response.headersSent) return;
    // An error is not a version of the entity: a tag set before the failure must not be taken for one.
    response.removeHeader('ETag');
    if (error instanceof DomainError)
      for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
    response.status(body.statusCode).json(body);
  }
}
