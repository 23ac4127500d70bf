import { applyDecorators, Type } from '@nestjs/common';
import { ApiHeader, ApiParam, ApiProperty, ApiResponse } from '@nestjs/swagger';
import { ID_PATTERN } from './ids';

/**
 * OpenAPI declarations shared by the entity routes, so the document lists every status a route can answer
 * and the headers it reads and sends. Statuses every route shares (400, 401, 413, 415, 503, 404 for routes
 * with an id) are added to every operation by openapi-document.ts.
 */

/** The body of every error answer. */
export class ErrorDto {
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 404 })
  statusCode!: number;

  @ApiProperty({ example: 'Not Found' })
  error!: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'What went wrong; on a 400, one entry per bad field',
    example: 'Post "hello" does not exist',
  })
  message!: string | string[];
}

const ETAG = {
  ETag: {
    description: 'The version of the entity, a strong tag: send it back as If-Match to update only that version',
    schema: { type: 'string' },
  },
};

const error = (status: number, description: string) => ApiResponse({ status, description, type: ErrorDto });

export const ApiEntityId = () =>
  ApiParam({ name: 'id', schema: { type: 'string', pattern: ID_PATTERN.source, minLength: 1, maxLength: 64 } });

const ifMatch = () =>
  ApiHeader({
    name: 'If-Match',
    required: false,
    description:
      'Only act if the entity is at this version (strong comparison: a W/ tag never matches; `*` needs the entity to exist)',
  });

/** 422: an object in the bucket that the request reads is not a valid document (the message names its key). */
export const ApiUnreadable = (what: string) =>
  error(
    422,
    `${what} is an object in the bucket that is not a valid document (the message names its key and the problem)`,
  );

export const ApiCreateEntity = (type: Type, extra: MethodDecorator[] = []) =>
  applyDecorators(
    ApiResponse({
      status: 201,
      type,
      headers: { ...ETAG, Location: { description: 'The path of the new entity', schema: { type: 'string' } } },
    }),
    error(409, 'The id is already taken'),
    ...extra,
  );

export const ApiReadEntity = (type: Type) =>
  applyDecorators(
    ApiEntityId(),
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description: 'Answer 304 when the entity is still at one of these versions',
    }),
    ApiResponse({ status: 200, type, headers: ETAG }),
    ApiResponse({
      status: 304,
      description: 'The entity is still at the version named in If-None-Match',
      headers: ETAG,
    }),
    ApiUnreadable('The entity'),
  );

/** PUT and PATCH (PUT also replaces an object that is not a valid document; PATCH adds ApiUnreadable, as it cannot merge into one). */
export const ApiWriteEntity = (type: Type, extra: MethodDecorator[] = []) =>
  applyDecorators(
    ApiEntityId(),
    ifMatch(),
    ApiResponse({ status: 200, type, headers: ETAG }),
    error(409, 'Other writers changed the entity during every attempt to save this edit; nothing was saved'),
    error(412, 'If-Match does not name the current version, or the entity does not exist'),
    ...extra,
  );

export const ApiDeleteEntity = (conflict: string) =>
  applyDecorators(
    ApiEntityId(),
    ifMatch(),
    ApiResponse({ status: 204, description: 'Deleted' }),
    error(409, conflict),
    error(412, 'If-Match does not name the current version, or the entity does not exist'),
  );
