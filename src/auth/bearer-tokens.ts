import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf-8').digest();

/**
 * Constant-time check of a presented token against the configured ones: both sides are hashed to equal
 * length first and every configured token is compared, so timing reveals neither length nor which matched.
 */
export function tokenAccepted(presented: string, accepted: readonly string[]): boolean {
  const given = digest(presented);
  let ok = false;
  for (const token of accepted) ok = timingSafeEqual(given, digest(token)) || ok;
  return ok;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
