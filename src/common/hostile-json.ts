import type { NextFunction, Request, Response } from 'express';
import { InvalidInputError } from './domain-errors';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Deeper than any valid body (links are 3 levels); stops pathological nesting before validation walks it. */
export const MAX_JSON_DEPTH = 16;

function problem(value: unknown, depth: number): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (depth > MAX_JSON_DEPTH) return `request body is nested deeper than ${MAX_JSON_DEPTH} levels`;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return `property ${key} should not exist`;
    const found = problem((value as Record<string, unknown>)[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * JSON.parse (and the query-string parser) keep `__proto__` as an own key, and class-transformer would
 * silently drop it: refuse it (and its cousins) as the unknown field it is, along with absurd nesting.
 */
export function rejectHostileJson(req: Request, _res: Response, next: NextFunction): void {
  const found = problem(req.body as unknown, 0) ?? problem(req.query, 0);
  next(found ? new InvalidInputError([found]) : undefined);
}
