import type { NextFunction, Request, Response } from 'express';
import { InvalidInputError, UnsupportedMediaTypeError } from './domain-errors';
import { ID_RULE } from './id.pipe';

/** Media types the JSON parser reads: `application/json` and the `+json` family (merge-patch, say). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

const ENTITY_PATH = /^\/(?:authors|posts)\/(.+?)(?:\/deploy-status)?\/?$/;

/**
 * `/authors/a/b` (or `/authors/../x` sent raw) matches no route and would be a 404; it is an id with a `/`
 * in it, which is a 400 like any other bad id. Never reaches a controller, so never S3.
 */
export function rejectNestedIds(req: Request, _res: Response, next: NextFunction): void {
  const id = ENTITY_PATH.exec(req.path)?.[1];
  next(id !== undefined && id.includes('/') ? new InvalidInputError([ID_RULE]) : undefined);
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * A body the JSON parser skipped (text/plain, a form, XML) would otherwise reach the controller as "no
 * body": a PATCH would then succeed as an empty change. Refuse it instead (runs after the JSON parser).
 */
export function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const skipped = req.body === undefined && hasBody(req) && ['POST', 'PUT', 'PATCH'].includes(req.method);
  next(
    skipped
      ? new UnsupportedMediaTypeError(`send the request body as JSON (Content-Type: application/json)`)
      : undefined,
  );
}
