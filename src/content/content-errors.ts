import { DomainError } from '../common/domain-errors';

/**
 * The object at an entity's key is not a valid document of its kind (written straight into the bucket by
 * another tool: corrupt JSON, a field out of bounds, another entity's id). It is reported, never served,
 * and can be replaced with PUT or removed with DELETE.
 */
export class UnreadableDocumentError extends DomainError {
  readonly status = 422;
  constructor(kind: string, objectKey: string, problem: string) {
    super(
      `the object ${objectKey} in the bucket is not a valid ${kind}: ${problem}. Fix it in the bucket, replace it with PUT, or remove it with DELETE.`,
    );
  }
}

/** Other writers changed the entity between every read and write the service tried. Nothing was written. */
export class ContendedWriteError extends DomainError {
  readonly status = 409;
  constructor(kind: string, id: string, attempts: number) {
    super(
      `${kind} "${id}" was changed by other writers during each of ${attempts} attempts to save this edit; nothing was saved: send it again`,
    );
  }
}
