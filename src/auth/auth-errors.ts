import { DomainError } from '../common/domain-errors';

/** No or an unknown bearer token. The challenge tells clients which scheme to use (RFC 6750). */
export class AuthenticationRequiredError extends DomainError {
  readonly status = 401;
  override readonly headers = { 'WWW-Authenticate': 'Bearer' };
  constructor() {
    super('send Authorization: Bearer <token> with one of the API_TOKENS configured on the server');
  }
}
