/**
 * Domain errors: thrown by services, mapped to HTTP in one place (DomainErrorFilter).
 * Messages are written for the person using the back office and never carry secrets.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  /** Response headers the status needs (a 401's challenge, say). */
  readonly headers: Readonly<Record<string, string>> = {};
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends DomainError {
  readonly status = 400;
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  constructor(kind: string, id: string) {
    super(`${kind} "${id}" does not exist`);
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
}

export class PreconditionFailedError extends DomainError {
  readonly status = 412;
  constructor(kind: string, id: string) {
    super(`${kind} "${id}" was changed by someone else (If-Match is stale): reload it and apply your edit again`);
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
}

/** A backing service (Redis, S3) cannot take the request right now; nothing was written. */
export class UnavailableError extends DomainError {
  readonly status = 503;
}
