import { createPrivateKey, KeyObject } from 'node:crypto';

/**
 * Reads a GitHub App private key, or says in one line what is wrong with it, so a bad key stops the service at
 * start instead of failing the first deploy. GitHub hands out RSA keys as PKCS#1 PEM
 * ("-----BEGIN RSA PRIVATE KEY-----"); PKCS#8 works too. The answer is PKCS#8, the form the JWT signer reads.
 * No message ever repeats any part of the key.
 */
export type PrivateKeyReading = { pem: string } | { problem: string };

const DOWNLOAD_HINT = "use the .pem file from the App's settings page (Private keys → Generate a private key)";

/** Environment variables often carry a PEM as one line with literal `\n`; Windows files carry `\r\n`. */
export function unescapePem(text: string): string {
  return text
    .replace(/\\r\\n|\\n/g, '\n')
    .replace(/\r\n/g, '\n')
    .trim();
}

function parse(text: string): KeyObject | undefined {
  try {
    return createPrivateKey({ key: text, format: 'pem' });
  } catch {
    return undefined;
  }
}

export function readAppPrivateKey(raw: string): PrivateKeyReading {
  const text = unescapePem(raw);
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
  if (!label)
    return { problem: `is not a PEM private key (no "-----BEGIN ... PRIVATE KEY-----" line): ${DOWNLOAD_HINT}` };
  if (/PUBLIC KEY|CERTIFICATE/.test(label))
    return { problem: `is a public key or certificate, not the App's private key: ${DOWNLOAD_HINT}` };
  if (label.includes('ENCRYPTED') || /Proc-Type:\s*4,ENCRYPTED/.test(text)) {
    return {
      problem:
        'is encrypted with a passphrase, which the service cannot use: decrypt it once (openssl pkey -in key.pem -out plain.pem) and keep the plain key in a secret store',
    };
  }
  if (label === 'OPENSSH PRIVATE KEY') return { problem: `is an OpenSSH key, not a GitHub App key: ${DOWNLOAD_HINT}` };
  if (!label.endsWith('PRIVATE KEY'))
    return { problem: `holds a PEM "${label}" block, not a private key: ${DOWNLOAD_HINT}` };
  const key = parse(text);
  if (!key) {
    return {
      problem:
        'could not be read as a PEM private key (damaged or cut short?): copy the whole file, BEGIN and END lines included; in one-line form write each line break as \\n',
    };
  }
  if (key.asymmetricKeyType !== 'rsa')
    return { problem: `is an ${key.asymmetricKeyType ?? 'unknown'} key; GitHub App keys are RSA: ${DOWNLOAD_HINT}` };
  return { pem: key.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
