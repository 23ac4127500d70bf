import fc from 'fast-check';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readAppPrivateKey, unescapePem } from './app-private-key';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PKCS1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const PKCS8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function problemOf(text: string): string {
  const reading = readAppPrivateKey(text);
  if (!('problem' in reading)) throw new Error('expected a problem');
  return reading.problem;
}

describe('readAppPrivateKey', () => {
  it.each([
    ['PKCS#1, as GitHub downloads it', PKCS1],
    ['PKCS#8', PKCS8],
    ['one line with \\n escapes', PKCS1.replace(/\n/g, '\\n')],
    ['Windows line ends', PKCS1.replace(/\n/g, '\r\n')],
    ['surrounding blanks', `\n  ${PKCS1}  \n`],
  ])('reads %s as the same key, in PKCS#8', (_name, text) => {
    const reading = readAppPrivateKey(text);
    expect(reading).toEqual({ pem: PKCS8 });
    expect(createPrivateKey((reading as { pem: string }).pem).asymmetricKeyType).toBe('rsa');
  });

  it.each([
    ['not PEM', 'just-some-secret-text', /is not a PEM private key/],
    [
      'a public key',
      rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      /is a public key or certificate/,
    ],
    [
      'an RSA public key',
      rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      /is a public key or certificate/,
    ],
    [
      'an encrypted PKCS#8 key',
      rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString(),
      /encrypted with a passphrase/,
    ],
    [
      'an encrypted PKCS#1 key',
      rsa.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString(),
      /encrypted with a passphrase/,
    ],
    [
      'an EC key',
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      /is an ec key; GitHub App keys are RSA/,
    ],
    [
      'an OpenSSH key',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----',
      /is an OpenSSH key/,
    ],
    [
      'DH parameters',
      '-----BEGIN DH PARAMETERS-----\nMIIB\n-----END DH PARAMETERS-----',
      /holds a PEM "DH PARAMETERS" block, not a private key/,
    ],
    ['a key cut short', PKCS1.slice(0, 300), /could not be read as a PEM private key/],
    ['only the first line', '-----BEGIN RSA PRIVATE KEY-----', /could not be read as a PEM private key/],
  ])('names %s', (_name, text, says) => {
    expect(problemOf(text)).toMatch(says);
  });

  it('never repeats any part of what it was given', () => {
    const body = PKCS1.split('\n')[1];
    fc.assert(
      fc.property(
        fc.string({ minLength: 12 }),
        fc.constantFrom('', '-----BEGIN RSA PRIVATE KEY-----\n', '-----BEGIN PUBLIC KEY-----\n'),
        (secret, header) => {
          const reading = readAppPrivateKey(`${header}${secret}\n${body}`);
          return (
            'problem' in reading &&
            !reading.problem.includes(secret.trim() || '\u0000') &&
            !reading.problem.includes(body)
          );
        },
      ),
    );
  });

  it('turns \\n escapes into line breaks and nothing else', () => {
    expect(unescapePem('a\\nb\\r\\nc\r\nd')).toBe('a\nb\nc\nd');
  });
});
