import fc from 'fast-check';
import { basicCredentials, credentialsAccepted } from './basic-auth';

const header = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf-8').toString('base64')}`;
const username = fc.string({ minLength: 1 }).filter((u) => !u.includes(':'));
const password = fc.string({ minLength: 1 });

describe('dashboard Basic auth', () => {
  it('reads back any user (without a colon) and any password, Unicode included', () => {
    fc.assert(
      fc.property(username, password, (u, p) =>
        expect(basicCredentials(header(u, p))).toEqual({ username: u, password: p }),
      ),
    );
  });

  it('accepts exactly the configured pair', () => {
    fc.assert(
      fc.property(username, password, username, password, (u, p, otherU, otherP) => {
        const expected = { username: u, password: p };
        expect(credentialsAccepted({ username: u, password: p }, expected)).toBe(true);
        expect(credentialsAccepted({ username: otherU, password: otherP }, expected)).toBe(
          otherU === u && otherP === p,
        );
        expect(credentialsAccepted({ username: u, password: `${p}x` }, expected)).toBe(false);
        expect(credentialsAccepted({ username: `${u}x`, password: p }, expected)).toBe(false);
      }),
    );
  });

  it('rejects missing and malformed headers', () => {
    const expected = { username: 'ops', password: 'pw' };
    for (const bad of [
      undefined,
      '',
      'Bearer abc',
      'Basic',
      'Basic !!!',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
    ]) {
      expect(credentialsAccepted(basicCredentials(bad), expected)).toBe(false);
    }
  });
});
