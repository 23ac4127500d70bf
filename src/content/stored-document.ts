import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { validationMessages } from '../common/validation-messages';
import type { EntityKind } from './content-change';

export type Readout<T> = { doc: T; problem?: undefined } | { doc?: undefined; problem: string };

/** How many schema problems a 422 names; one bad object can break many rules, the first few say enough. */
const MAX_PROBLEMS = 3;

/**
 * Reads a stored document with the same rules the API documents for its responses, so an object another
 * tool wrote (corrupt JSON, a field out of bounds, an `id` that is not its key's) is never served as if valid.
 * `schema` is the response DTO, whose class-validator rules are the document's shape.
 */
export class StoredDocumentReader<T> {
  constructor(
    private readonly kind: EntityKind,
    private readonly schema: new () => object,
  ) {}

  read(id: string, body: string): Readout<T> {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (error) {
      return { problem: `it is not valid JSON (${(error as Error).message})` };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { problem: 'it is not a JSON object' };
    const storedId = (value as { id?: unknown }).id;
    // The key is the identity: a copy of another entity's object must not be taken for it.
    if (storedId !== id) return { problem: `its id is ${JSON.stringify(storedId)}, not "${id}" as its key says` };
    const errors = validateSync(plainToInstance(this.schema, value), {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
    });
    if (errors.length > 0) {
      const found = validationMessages(errors);
      const more = found.length > MAX_PROBLEMS ? ` (and ${found.length - MAX_PROBLEMS} more)` : '';
      return {
        problem: `it does not match the ${this.kind} schema: ${found.slice(0, MAX_PROBLEMS).join('; ')}${more}`,
      };
    }
    return { doc: value as T };
  }
}
