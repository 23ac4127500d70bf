import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { GithubClient, GithubClientOptions } from '../../src/github/github.client';
import { DispatchRequest, GithubDispatchError } from '../../src/github/github.types';
import { FakeGithub } from './fake-github';

/** A dispatch of two changes, newest first, for tests of GithubClient. */
export const SAMPLE_DISPATCH: DispatchRequest = {
  deployId: 'dep-1',
  reason: 'changes',
  changeCount: 2,
  editCount: 5,
  changes: [
    { kind: 'post', id: 'hello', action: 'updated', at: '2026-11-28T10:00:02.000Z' },
    { kind: 'author', id: 'ada', action: 'created', at: '2026-11-28T10:00:01.000Z' },
  ],
  firstChangeAt: '2026-11-28T10:00:01.000Z',
  lastChangeAt: '2026-11-28T10:00:02.000Z',
};

/** The GithubDispatchError `promise` rejects with (failing the test if it resolves or throws something else). */
export async function dispatchFailure(promise: Promise<unknown>): Promise<GithubDispatchError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GithubDispatchError);
  return error as GithubDispatchError;
}

/**
 * A fake GitHub for one test file, and GithubClients configured against it by `env` (plus each test's
 * overrides). After each test the clients are shut down, the fake forgets what happened and spies are
 * restored; after the file the fake closes.
 */
export function githubClients(
  env: (fake: FakeGithub) => Record<string, string | undefined>,
  options: GithubClientOptions = { timeoutMs: 5_000 },
) {
  let fake: FakeGithub | undefined;
  const clients: GithubClient[] = [];
  beforeAll(async () => {
    fake = await FakeGithub.start();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.onApplicationShutdown();
    fake?.reset();
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    await fake?.close();
  });
  return {
    get fake(): FakeGithub {
      return fake!;
    },
    config(overrides: Record<string, string | undefined> = {}): AppConfig {
      return loadConfig({ ...env(fake!), ...overrides });
    },
    client(overrides: Record<string, string | undefined> = {}, clientOptions = options): GithubClient {
      const created = new GithubClient(this.config(overrides), clientOptions);
      clients.push(created);
      return created;
    },
  };
}
