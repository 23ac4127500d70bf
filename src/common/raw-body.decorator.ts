import { SetMetadata } from '@nestjs/common';

export const KEEP_RAW_BODY = 'keepRawBody';

/**
 * Marks a route whose body is signed (a webhook): the JSON body parser also keeps the exact bytes as
 * `req.rawBody` (Nest's RawBodyRequest), since a signature covers bytes, not the parsed value.
 */
export const KeepRawBody = (): MethodDecorator => SetMetadata(KEEP_RAW_BODY, true);
