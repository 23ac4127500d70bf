import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { tokenAccepted } from '../auth/bearer-tokens';

export interface BasicCredentials {
  username: string;
  password: string;
}

export const DASHBOARD_REALM = 'blog-deployer dashboard';

/** The user and password of an `Authorization: Basic <base64(user:password)>` header, or undefined. */
export function basicCredentials(header: string | undefined): BasicCredentials | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf-8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Constant-time check (the bearer-token hashing, reused): both fields are always compared, so timing
 * tells neither which one was wrong nor how long the right ones are.
 */
export function credentialsAccepted(given: BasicCredentials | undefined, expected: BasicCredentials): boolean {
  const userOk = tokenAccepted(given?.username ?? '', [expected.username]);
  const passwordOk = tokenAccepted(given?.password ?? '', [expected.password]);
  return given !== undefined && userOk && passwordOk;
}

/** Express middleware guarding everything under the dashboard route: UI, its JSON API and static files. */
export function basicAuth(expected: BasicCredentials): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (credentialsAccepted(basicCredentials(req.headers.authorization), expected)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', `Basic realm="${DASHBOARD_REALM}", charset="UTF-8"`)
      .set('Cache-Control', 'no-store')
      .json({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'the dashboard needs the DASHBOARD_USERNAME and DASHBOARD_PASSWORD configured on the server',
      });
  };
}
