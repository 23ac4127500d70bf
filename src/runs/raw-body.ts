import type { IncomingMessage } from 'node:http';

/** Paths whose body is signed: the signature covers the exact bytes, so they are kept beside the parsed JSON. */
const SIGNED_PATHS = ['/webhooks/github'];

/** The JSON parser's `verify` hook: keeps `rawBody` (as Nest's RawBodyRequest names it) for signed paths only. */
export function keepSignedBody(req: IncomingMessage & { rawBody?: Buffer }, _res: unknown, body: Buffer): void {
  const path = (req.url ?? '').split('?')[0].replace(/\/+$/, '');
  if (SIGNED_PATHS.includes(path)) req.rawBody = body;
}
