import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

const minimal = { S3_BUCKET: 'blog-content' };

describe('run tracking and notice settings', () => {
  it('defaults: tracking on, one hour, no webhook secret, no notices', () => {
    expect(loadConfig(minimal)).toMatchObject({
      runs: { track: true, timeoutMs: 3_600_000, webhookSecret: undefined },
      notify: { webhookUrl: undefined },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...minimal,
      DEPLOY_TRACK_RUNS: 'false',
      DEPLOY_RUN_TIMEOUT_MS: '60000',
      GITHUB_WEBHOOK_SECRET: 's3cret',
      NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/T/B/x',
    });
    expect(config.runs).toEqual({ track: false, timeoutMs: 60_000, webhookSecret: 's3cret' });
    expect(config.notify).toEqual({ webhookUrl: 'https://hooks.example.com/T/B/x' });
  });

  it.each([
    [{ DEPLOY_TRACK_RUNS: 'yes' }, 'DEPLOY_TRACK_RUNS'],
    [{ DEPLOY_RUN_TIMEOUT_MS: '10' }, 'DEPLOY_RUN_TIMEOUT_MS'],
    [{ NOTIFY_WEBHOOK_URL: 'ftp://hooks.example.com/secret-path' }, 'NOTIFY_WEBHOOK_URL'],
    [{ NOTIFY_WEBHOOK_URL: 'not a url secret-path' }, 'NOTIFY_WEBHOOK_URL'],
  ])('%j stops the start naming %s (and never repeats a webhook URL)', (env, variable) => {
    let error: unknown;
    try {
      loadConfig({ ...minimal, ...env });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(variable);
    expect((error as Error).message).not.toContain('secret-path');
  });
});
