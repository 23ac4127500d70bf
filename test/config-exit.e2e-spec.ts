import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunResult, ServiceProcess } from './support/processes';

/**
 * A bad or missing value stops `node dist/main.js` at start with a non-zero exit and one line
 * naming the variable. No Redis or S3 is started: the process must stop before it needs them.
 */
describe('node dist/main.js with a bad configuration', () => {
  let cwd: string;
  // Reachable-looking but unused: the process must exit on the bad variable before it connects anywhere.
  const base = { S3_BUCKET: 'blog', REDIS_URL: 'redis://127.0.0.1:1', S3_ENDPOINT: 'http://127.0.0.1:1' };
  const cases: [string, Record<string, string | undefined>][] = [
    ['S3_BUCKET', { S3_BUCKET: undefined }],
    ['S3_BUCKET', { S3_BUCKET: 'Not A Bucket' }],
    ['PORT', { PORT: 'eighty' }],
    ['APP_ROLE', { APP_ROLE: 'everything' }],
    ['REDIS_URL', { REDIS_URL: 'localhost:6379' }],
    ['S3_PREFIX', { S3_PREFIX: '/abs' }],
    ['DEPLOY_DEBOUNCE_MS', { DEPLOY_DEBOUNCE_MS: '-5' }],
    ['API_TOKENS', { NODE_ENV: 'production', GITHUB_TOKEN: 'ghp_never_printed', GITHUB_REPOSITORY: 'acme/blog' }],
    ['GITHUB_TOKEN', { NODE_ENV: 'production', API_TOKENS: 'tok-never-printed' }],
    ['GITHUB_REPOSITORY', { GITHUB_TOKEN: 'ghp_never_printed' }],
  ];
  let results: RunResult[];

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'config-exit-')); // no .env here
    // Two at a time (one per core): each is an independent cold start of the built app.
    results = [];
    for (let i = 0; i < cases.length; i += 2) {
      results.push(
        ...(await Promise.all(
          cases.slice(i, i + 2).map(([, overrides]) => ServiceProcess.run({ ...base, ...overrides }, { cwd })),
        )),
      );
    }
  }, 180_000); // ten cold starts: minutes on a machine whose cores are busy

  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it.each(cases.map(([variable], index) => [variable, index]))(
    '%s: exits non-zero with exactly one stderr line naming it, no stack trace',
    (variable, index) => {
      const result = results[index];
      expect(result.code).not.toBe(0);
      expect(result.code).not.toBeNull();
      const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(variable);
      expect(result.stderr).not.toMatch(/\n\s+at |Error:|\.js:\d+/);
      const output = result.stdout + result.stderr;
      expect(output).not.toContain('never_printed');
      expect(output).not.toContain('never-printed');
    },
  );
});
