import { applyDecorators } from '@nestjs/common';
import { IsUrl, Matches, MaxLength, ValidateBy, ValidationOptions, buildMessage } from 'class-validator';
import { ID_MAX_LENGTH, ID_PATTERN } from './ids';

const URL_MAX_LENGTH = 2048;

/** An absolute http(s) URL (localhost allowed: back offices run against staging hosts too). */
export const IsHttpUrl = (): PropertyDecorator =>
  applyDecorators(
    IsUrl(
      { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
      { message: '$property must be an http(s) URL' },
    ),
    MaxLength(URL_MAX_LENGTH),
  );

/** The OpenAPI form of IsHttpUrl, for the property's ApiProperty. */
export const HTTP_URL_SCHEMA = {
  type: 'string',
  format: 'uri',
  maxLength: URL_MAX_LENGTH,
  description: 'An absolute http(s) URL',
} as const;

/** The OpenAPI form of IsEntityId. */
export const ENTITY_ID_SCHEMA = {
  type: 'string',
  pattern: ID_PATTERN.source,
  minLength: 1,
  maxLength: ID_MAX_LENGTH,
} as const;

export const IsEntityId = (options?: ValidationOptions): PropertyDecorator =>
  Matches(ID_PATTERN, {
    message: '$property must be 1-64 lowercase letters, digits or inner hyphens (a-z, 0-9, -)',
    ...options,
  });

/** Size limit in UTF-8 bytes, the way storage and GitHub count it (MaxLength counts UTF-16 units). */
export function MaxBytes(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxBytes',
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && Buffer.byteLength(value, 'utf-8') <= max,
        defaultMessage: buildMessage(
          (prefix) => `${prefix}$property must be at most $constraint1 bytes of UTF-8`,
          options,
        ),
      },
    },
    options,
  );
}
