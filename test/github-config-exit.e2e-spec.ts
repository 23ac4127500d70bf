import { generateKeyPairSync } from 'node:crypto';
import { RunResult, ServiceProcess } from './support/processes';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const PUBLIC_KEY = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ENCRYPTED_KEY = rsa.privateKey
  .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'never-printed' })
  .toString();
const EC_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const oneLine = (pem: string) => pem.replace(/\n/g, '\\n');

/**
 * GitHub credentials and the deploy trigger are checked before anything starts: each mistake ends
 * `node dist/main.js` with one line naming the variable and saying what is wrong, and never repeats a secret.
 */
describe('node dist/main.js with a bad GitHub configuration', () => {
  const base = {
    S3_BUCKET: 'blog',
    REDIS_URL: 'redis://127.0.0.1:1',
    S3_ENDPOINT: 'http://127.0.0.1:1',
    GITHUB_REPOSITORY: 'acme/blog',
  };
  const app = { GITHUB_APP_ID: '12345', GITHUB_APP_PRIVATE_KEY: oneLine(PRIVATE_KEY) };
  const cases: [string, Record<string, string | undefined>, RegExp][] = [
    [
      'a token and an App',
      { ...app, GITHUB_TOKEN: 'ghp_never_printed' },
      /^Configuration error: GITHUB_TOKEN: is set together with a GitHub App \(GITHUB_APP_\*\): authenticate either with a token or as a GitHub App/,
    ],
    [
      'production without either',
      { NODE_ENV: 'production', API_TOKENS: 'tok-never-printed' },
      /GITHUB_TOKEN: is required when NODE_ENV=production, or a GitHub App \(GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY\)/,
    ],
    [
      'a key that is not PEM',
      { ...app, GITHUB_APP_PRIVATE_KEY: 'never-printed-not-a-key' },
      /GITHUB_APP_PRIVATE_KEY: is not a PEM private key/,
    ],
    [
      'a public key',
      { ...app, GITHUB_APP_PRIVATE_KEY: oneLine(PUBLIC_KEY) },
      /GITHUB_APP_PRIVATE_KEY: is a public key or certificate, not the App's private key/,
    ],
    [
      'an encrypted key',
      { ...app, GITHUB_APP_PRIVATE_KEY: oneLine(ENCRYPTED_KEY) },
      /GITHUB_APP_PRIVATE_KEY: is encrypted with a passphrase/,
    ],
    [
      'an EC key',
      { ...app, GITHUB_APP_PRIVATE_KEY: oneLine(EC_KEY) },
      /GITHUB_APP_PRIVATE_KEY: is an ec key; GitHub App keys are RSA/,
    ],
    [
      'a cut-short key',
      { ...app, GITHUB_APP_PRIVATE_KEY: oneLine(PRIVATE_KEY.slice(0, 400)) },
      /GITHUB_APP_PRIVATE_KEY: could not be read as a PEM private key/,
    ],
    [
      'a missing key file',
      { GITHUB_APP_ID: '12345', GITHUB_APP_PRIVATE_KEY_FILE: '/nonexistent/app.pem' },
      /GITHUB_APP_PRIVATE_KEY_FILE: cannot be read \(ENOENT\)/,
    ],
    ['an App id without a key', { GITHUB_APP_ID: '12345' }, /GITHUB_APP_PRIVATE_KEY: is required with GITHUB_APP_ID/],
    [
      'workflow_dispatch without a workflow',
      { DEPLOY_TRIGGER: 'workflow_dispatch' },
      /DEPLOY_WORKFLOW: is required with DEPLOY_TRIGGER=workflow_dispatch/,
    ],
  ];
  let results: RunResult[];

  beforeAll(async () => {
    results = [];
    // Two at a time (one per core): each is an independent cold start of the built app.
    for (let i = 0; i < cases.length; i += 2) {
      results.push(
        ...(await Promise.all(cases.slice(i, i + 2).map(([, env]) => ServiceProcess.run({ ...base, ...env })))),
      );
    }
  });

  it.each(cases.map(([name, , says], index) => [name, says, index] as const))(
    '%s: exits non-zero with one line saying so',
    (_name, says, index) => {
      const { code, stdout, stderr } = results[index];
      expect(code).not.toBe(0);
      const lines = stderr.split('\n').filter((line) => line.trim() !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(says);
      const output = stdout + stderr;
      expect(output).not.toMatch(/never.printed|MII[A-Za-z0-9+/]{8}/); // no secret, no line of a key
    },
  );
});
