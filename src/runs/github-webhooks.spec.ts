import { createHmac } from 'node:crypto';
import { InvalidInputError, NotFoundError } from '../common/domain-errors';
import { loadConfig } from '../config/load-config';
import { GithubWebhooks, InvalidSignatureError } from './github-webhooks';
import type { RunTracker } from './run-tracker';

const SECRET = 'shh';
const env = { S3_BUCKET: 'blog', GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'acme/blog' };
const run = {
  id: 7,
  html_url: 'https://github.com/acme/blog/actions/runs/7',
  display_title: 'deploy d1',
  workflow_id: 1,
  status: 'completed',
  conclusion: 'success',
  created_at: 'C',
  run_started_at: 'S',
  updated_at: 'U',
};
const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function setup(extra: Record<string, string> = { GITHUB_WEBHOOK_SECRET: SECRET }) {
  const seen: unknown[] = [];
  const tracker = {
    onWorkflowRun: (r: unknown) => (seen.push(r), Promise.resolve('updated')),
  } as unknown as RunTracker;
  const webhooks = new GithubWebhooks(tracker, loadConfig({ ...env, ...extra }));
  const deliver = (body: string, signature: string | undefined, event = 'workflow_run') =>
    webhooks.receive({ event, id: 'x', signature, rawBody: Buffer.from(body) });
  return { seen, deliver };
}

describe('GithubWebhooks', () => {
  const body = JSON.stringify({ action: 'completed', workflow_run: run, repository: { full_name: 'Acme/Blog' } });

  it('hands a verified workflow_run of the configured repository to the tracker', async () => {
    const { seen, deliver } = setup();
    await deliver(body, sign(body));
    expect(seen).toEqual([
      {
        id: 7,
        url: run.html_url,
        title: 'deploy d1',
        workflowId: 1,
        status: 'completed',
        conclusion: 'success',
        createdAt: 'C',
        startedAt: 'S',
        updatedAt: 'U',
      },
    ]);
  });

  it.each([
    ['no signature', undefined],
    ['a signature made with another secret', sign(body, 'guess')],
    ['the signature of another body', sign(`${body} `)],
    ['a malformed signature', 'sha256=zz'],
  ])('%s is refused and reaches nothing', async (_, signature) => {
    const { seen, deliver } = setup();
    await expect(deliver(body, signature)).rejects.toBeInstanceOf(InvalidSignatureError);
    expect(seen).toEqual([]);
  });

  it('a body that is not JSON is refused as unsigned (401) without the secret and as malformed (400) with it', async () => {
    const { seen, deliver } = setup();
    const garbage = '{"action": "completed", workflow_run';
    await expect(deliver(garbage, sign(garbage, 'guess'))).rejects.toBeInstanceOf(InvalidSignatureError);
    await expect(deliver(garbage, undefined)).rejects.toBeInstanceOf(InvalidSignatureError);
    await expect(deliver(garbage, sign(garbage))).rejects.toBeInstanceOf(InvalidInputError);
    expect(seen).toEqual([]);
  });

  it('other events, other repositories, and tracking turned off are acknowledged and ignored', async () => {
    const { seen, deliver } = setup();
    await deliver(body, sign(body), 'ping');
    const elsewhere = JSON.stringify({
      action: 'completed',
      workflow_run: run,
      repository: { full_name: 'acme/other' },
    });
    await deliver(elsewhere, sign(elsewhere));
    await setup({ GITHUB_WEBHOOK_SECRET: SECRET, DEPLOY_TRACK_RUNS: 'false' }).deliver(body, sign(body));
    expect(seen).toEqual([]);
  });

  it('without GITHUB_WEBHOOK_SECRET the route does not exist', async () => {
    await expect(setup({}).deliver(body, sign(body))).rejects.toBeInstanceOf(NotFoundError);
  });
});
