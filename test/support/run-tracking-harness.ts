import type { Deploy } from '../../src/deploy/deploy.types';
import { FakeGithub } from './fake-github';
import { FakeActions } from './fake-github-runs';
import { NoticeReceiver } from './notice-receiver';
import { ServiceProcess } from './processes';
import { DirectS3 } from './direct-s3';
import { API_TOKEN, productionEnv } from './resilience';
import { TestStack } from './stack';
import { waitFor } from './wait-for';

const HEADERS = { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' };

/** Redis, S3, a fake GitHub with Actions runs and a notice receiver, for services that follow their runs. */
export class RunTrackingWorld {
  private constructor(
    readonly stack: TestStack,
    readonly github: FakeGithub,
    readonly actions: FakeActions,
    readonly notices: NoticeReceiver,
  ) {}

  static async start(): Promise<RunTrackingWorld> {
    const [stack, github, notices] = await Promise.all([TestStack.start(), FakeGithub.start(), NoticeReceiver.start()]);
    return new RunTrackingWorld(stack, github, FakeActions.attach(github), notices);
  }

  /** Environment of a production instance; instances given the same `group` share Redis keys and the bucket. */
  env(group: string, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    return productionEnv(this.stack, this.github, {
      QUEUE_PREFIX: group,
      S3_BUCKET: `runs-${group}`,
      DEPLOY_RUN_TIMEOUT_MS: '20000',
      NOTIFY_WEBHOOK_URL: this.notices.url,
      ...overrides,
    });
  }

  async service(
    name: string,
    group: string,
    overrides: Record<string, string | undefined> = {},
  ): Promise<ServiceProcess> {
    await new DirectS3(this.stack.s3, `runs-${group}`).createBucket().catch(() => undefined);
    return ServiceProcess.start(name, this.env(group, overrides));
  }

  async stop(): Promise<void> {
    this.actions.close();
    await Promise.all([this.github.close(), this.notices.close()]);
    await this.stack.stop();
  }
}

export async function call<T = unknown>(
  service: ServiceProcess,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: HEADERS,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

/** Makes a change that deploys (an author edit) and resolves with the id of the deploy that carries it, once dispatched. */
export async function editAndDispatch(
  service: ServiceProcess,
  github: FakeGithub,
  authorId: string,
  bio: string,
): Promise<string> {
  const before = github.dispatches().length;
  const exists = (await call(service, 'GET', `/authors/${authorId}`)).status === 200;
  const answer = exists
    ? await call(service, 'PATCH', `/authors/${authorId}`, { bio })
    : await call(service, 'POST', '/authors', { id: authorId, name: authorId, bio });
  if (answer.status >= 300) throw new Error(`edit failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  const dispatch = await waitFor(
    'the dispatch',
    () => github.dispatches().filter((d) => d.status !== undefined)[before],
  );
  const body = dispatch.body as { client_payload?: { deployId: string }; inputs?: { deploy_id: string } };
  return body.client_payload?.deployId ?? body.inputs!.deploy_id;
}

export function deployIn(
  service: ServiceProcess,
  deployId: string,
  statuses: string[],
  timeoutMs = 20_000,
): Promise<Deploy> {
  return waitFor(
    `deploy ${deployId} to be ${statuses.join(' or ')}`,
    async () => {
      const { body } = await call<Deploy>(service, 'GET', `/deploys/${deployId}`);
      return statuses.includes(body.status) ? body : undefined;
    },
    timeoutMs,
  );
}
