import { bearerToken, tokenAccepted } from './bearer-tokens';

describe('bearer tokens', () => {
  it('accepts any configured token and nothing else', () => {
    expect(tokenAccepted('b-token', ['a-token', 'b-token'])).toBe(true);
    expect(tokenAccepted('c-token', ['a-token', 'b-token'])).toBe(false);
    expect(tokenAccepted('a-toke', ['a-token'])).toBe(false);
    expect(tokenAccepted('', [])).toBe(false);
  });

  it('reads the token from an Authorization header', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
