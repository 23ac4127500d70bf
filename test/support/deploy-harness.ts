import request from 'supertest';
import type { Deploy } from '../../src/deploy/deploy.types';
import { FakeGithub, RecordedRequest } from './fake-github';
import { RunningApp, TestStack, startApp } from './stack';
import { waitFor } from './wait-for';

export const TOKEN = 'ghp_TESTSECRET0123456789abcdefABCDEF0123';

/** The payload of a recorded dispatch request. */
export interface DispatchBody {
  event_type: string;
  client_payload: {
    deployId: string;
    reason: string;
    changeCount: number;
    editCount: number;
    changes: { kind: string; id: string; action: string; at: string }[];
    truncated: boolean;
  };
}

export const bodyOf = (r: RecordedRequest): DispatchBody => r.body as DispatchBody;

/** Environment for an app that dispatches to the fake GitHub with a real token. */
export function githubEnv(github: FakeGithub, overrides: Record<string, string> = {}): Record<string, string> {
  return { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/blog', GITHUB_API_URL: github.url, ...overrides };
}

export async function startDeployingApp(
  stack: TestStack,
  github: FakeGithub,
  overrides: Record<string, string> = {},
): Promise<RunningApp> {
  return startApp(stack.config(githubEnv(github, overrides)));
}

export async function deploysOf(url: string): Promise<Deploy[]> {
  return (await request(url).get('/deploys?limit=500').expect(200)).body.items as Deploy[];
}

/** The deploy a dispatch carried, as the API at `url` shows it now. */
export async function deployOf(url: string, dispatch: RecordedRequest): Promise<Deploy> {
  return (
    await request(url)
      .get(`/deploys/${bodyOf(dispatch).client_payload.deployId}`)
      .expect(200)
  ).body as Deploy;
}

/** Waits until `count` dispatch requests have been answered by the fake. */
export function answeredDispatches(github: FakeGithub, count: number, timeoutMs = 15_000): Promise<RecordedRequest[]> {
  return waitFor(
    `${count} answered dispatch(es)`,
    () => {
      const done = github.dispatches().filter((d) => d.status !== undefined);
      return done.length >= count ? done : undefined;
    },
    timeoutMs,
  );
}

/** Waits until the deploy with `id` reaches a final status. */
export function settled(url: string, id: string, timeoutMs = 15_000): Promise<Deploy> {
  return waitFor(
    `deploy ${id} to settle`,
    async () => {
      const deploy = (await request(url).get(`/deploys/${id}`).expect(200)).body as Deploy;
      return ['dispatched', 'failed', 'dry-run'].includes(deploy.status) ? deploy : undefined;
    },
    timeoutMs,
  );
}

/** Delay measurements (dispatch start minus quiet-window end), printed once at the end of a file. */
export const quietWindowDelays: number[] = [];

/** Records how long after the quiet window (server-side last change + debounce) a dispatch started. */
export async function measureQuietWindowDelay(
  url: string,
  dispatch: RecordedRequest,
  debounceMs: number,
): Promise<void> {
  const deploy = (
    await request(url)
      .get(`/deploys/${bodyOf(dispatch).client_payload.deployId}`)
      .expect(200)
  ).body as Deploy;
  const delay = dispatch.startedAt - (Date.parse(deploy.lastChangeAt!) + debounceMs);
  // Never before the quiet window has passed (the cap was not reached in these runs).
  expect(delay).toBeGreaterThanOrEqual(0);
  quietWindowDelays.push(delay);
}

export function printQuietWindowDelays(): void {
  if (quietWindowDelays.length === 0) return;
  const sorted = [...quietWindowDelays].sort((a, b) => a - b);
  process.stdout.write(
    `dispatch delay after the quiet window: median ${sorted[Math.floor(sorted.length / 2)]} ms, worst ${sorted[sorted.length - 1]} ms over ${sorted.length} dispatches\n`,
  );
}
