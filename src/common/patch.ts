import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { InvalidInputError } from './domain-errors';
import { validationMessages } from './validation-messages';

/**
 * Applies a PATCH body: a field set to null is removed, any other given field replaces the stored one.
 * The result is validated as a full replace body, so PATCH can never store what PUT would refuse.
 */
export async function applyPatch<T extends object>(
  current: T,
  patch: object,
  serverFields: readonly string[],
  fullDto: new () => object,
): Promise<T> {
  const merged = { ...current } as Record<string, unknown>;
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined || serverFields.includes(field)) continue;
    if (value === null) delete merged[field];
    else merged[field] = value;
  }
  const editable = Object.fromEntries(Object.entries(merged).filter(([field]) => !serverFields.includes(field)));
  const errors = await validate(plainToInstance(fullDto, editable), { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw new InvalidInputError(validationMessages(errors));
  return merged as T;
}

/**
 * Drops the keys whose value is undefined or null, so stored JSON has no holes: a create or PUT that sends
 * `"title": null` means "no title", as it does in a PATCH, and an optional field is absent rather than null.
 */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}
