import { SetMetadata } from '@nestjs/common';

export const KEEP_RAW_BODY = 'keepRawBody';

/**
 * Marks a route whose body is signed (a webhook): it gets the exact bytes as `req.rawBody` (Nest's
 * RawBodyRequest) and no parsed body, since a signature covers bytes and is checked before anything is parsed.
 */
export const KeepRawBody = (): MethodDecorator => SetMetadata(KEEP_RAW_BODY, true);
