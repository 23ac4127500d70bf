/** The object changed between our read and our conditional write (real S3 / MinIO honour If-Match). */
export class StorageConflictError extends Error {
  constructor(readonly key: string) {
    super(`conditional write to ${key} was refused: the object changed`);
    this.name = 'StorageConflictError';
  }
}
