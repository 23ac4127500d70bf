import { setTimeout as sleep } from 'node:timers/promises';
import { FakeGithub, RecordedRequest } from '../../test/support/fake-github';
import { HttpClient } from '../lib/http-client';
import { runLoad } from '../lib/load';
import { LatencySummary, round, summarize } from '../lib/stats';

export interface BurstResult {
  edits: number;
  clients: number;
  durationMs: number;
  throughput: number;
  latency: LatencySummary;
  /** Dispatches that reached GitHub for the burst (exactly one is the goal). */
  dispatches: number;
  /** editCount in the dispatch payload: how many acknowledged edits it says it carries. */
  payloadEditCount: number | null;
  /** Dispatch arrival minus (last edit's 2xx + DEPLOY_DEBOUNCE_MS): how late after the quiet window it came. */
  delayAfterQuietWindowMs: number | null;
}

/** Waits until GitHub has received `count` dispatches in all (polling; the fake records arrival times). */
export async function waitForDispatches(
  github: FakeGithub,
  count: number,
  timeoutMs: number,
): Promise<RecordedRequest[]> {
  const deadline = Date.now() + timeoutMs;
  while (github.dispatches().length < count) {
    if (Date.now() > deadline)
      throw new Error(
        `expected ${count} dispatch(es) at the fake GitHub within ${timeoutMs} ms, got ${github.dispatches().length}`,
      );
    await sleep(5);
  }
  return github.dispatches();
}

/**
 * `edits` PATCHes of published posts from `clients` clients, as fast as the service takes them; then the
 * dispatches that follow. Waits one more quiet window after the first dispatch so that a second one (a
 * coalescing failure) would be counted.
 */
export async function editBurst(
  client: HttpClient,
  github: FakeGithub,
  postIds: readonly string[],
  edits: number,
  clients: number,
  debounceMs: number,
): Promise<BurstResult> {
  const before = github.dispatches().length;
  const items = Array.from({ length: edits }, (_, i) => i);
  // Consecutive edits go to different posts, so clients do not queue on one post's lock.
  const run = await runLoad(items, clients, async (i) => {
    await client.expect(200, 'PATCH', `/posts/${postIds[i % postIds.length]}`, { summary: `burst edit ${i}` });
  });
  const quietWindowEnd = run.endedAtEpoch + debounceMs;
  const all = await waitForDispatches(github, before + 1, debounceMs + 30_000);
  await sleep(debounceMs + 1_000);
  const mine = github.dispatches().slice(before);
  const first = all[before];
  const payload = (first.body as { client_payload?: { editCount?: number } } | undefined)?.client_payload;
  return {
    edits,
    clients,
    durationMs: round(run.durationMs, 0),
    throughput: round(run.throughput, 1),
    latency: summarize(run.latencies),
    dispatches: mine.length,
    payloadEditCount: payload?.editCount ?? null,
    delayAfterQuietWindowMs: round(first.startedAt - quietWindowEnd, 1),
  };
}
