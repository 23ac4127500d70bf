import { WorkerHost } from '@nestjs/bullmq';
import { DiscoveryService } from '@nestjs/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisService } from '../../src/redis/redis.service';
import { FakeGithub } from './fake-github';
import { accepted, Edit, Editor, payloadOf, uncarried } from './resilience';
import { RunningApp, TestStack, startApp } from './stack';
import { waitFor } from './wait-for';

export type Role = 'all' | 'api';
export interface Model {
  roles: Role[];
  /** GitHub failures still allowed this run: fewer than DEPLOY_MAX_ATTEMPTS, so no deploy fails for good. */
  failuresLeft: number;
}
export const ENTITIES = ['ann', 'bob', 'cy', 'dee'];
const ENV = {
  DEPLOY_DEBOUNCE_MS: '200',
  DEPLOY_MAX_WAIT_MS: '1000',
  DEPLOY_BACKOFF_MS: '50',
  DEPLOY_MAX_ATTEMPTS: '8',
  DEPLOY_RECONCILE_MS: '500',
};

/**
 * "Kills" an in-process instance: what a kill -9 stops at once stops at once (no further Redis command
 * goes out, so nothing is recorded or handed over; the job lock is no longer renewed; the HTTP server goes
 * away). A GitHub request already sent may still reach GitHub, as it may after a real kill -9.
 * Then the remains are closed to free their handles.
 */
async function crash(running: RunningApp): Promise<void> {
  const { app } = running;
  app.get(RedisService).disconnect();
  for (const wrapper of app.get(DiscoveryService).getProviders()) {
    if (wrapper.instance instanceof WorkerHost) void wrapper.instance.worker.close(true).catch(() => undefined);
  }
  app.getHttpServer().closeAllConnections();
  await Promise.race([app.close().catch(() => undefined), sleep(10_000, undefined, { ref: false })]);
}

/** The system under test: two instances on one Redis, one bucket and the fake GitHub. */
export class Pipeline {
  readonly editor = new Editor('');
  readonly apps: RunningApp[] = [];
  readonly log: string[] = [];
  /** When Redis was restarted empty. */
  readonly wipes: number[] = [];

  constructor(
    readonly stack: TestStack,
    readonly github: FakeGithub,
    private readonly env: Record<string, string | undefined>,
    readonly roles: Role[],
  ) {}

  static async start(stack: TestStack, github: FakeGithub, roles: Role[], run: number): Promise<Pipeline> {
    const pipeline = new Pipeline(
      stack,
      github,
      stack.env({
        ...ENV,
        QUEUE_PREFIX: `model${run}`,
        GITHUB_TOKEN: 'ghp_model',
        GITHUB_REPOSITORY: 'acme/blog',
        GITHUB_API_URL: github.url,
      }),
      roles,
    );
    for (const role of roles)
      pipeline.apps.push(await startApp(pipeline.stack.config({ ...pipeline.env, APP_ROLE: role })));
    return pipeline;
  }

  async replace(index: number, abruptly: boolean): Promise<void> {
    if (abruptly) await crash(this.apps[index]);
    else await this.apps[index].close();
    this.apps[index] = await startApp(this.stack.config({ ...this.env, APP_ROLE: this.roles[index] }));
  }

  /** Every acknowledged edit dispatched (a deploy may need a stalled-job takeover: ~10-15 s). */
  async settle(): Promise<void> {
    await waitFor('every acknowledged edit to be dispatched', () => this.undispatched().length === 0, 45_000).catch(
      (error: Error) => {
        throw new Error(
          `${error.message}: ${JSON.stringify(this.undispatched())}\n${this.timeline()}\nsteps: ${this.log.join(' | ')}`,
        );
      },
    );
  }

  /**
   * Acknowledged edits no accepted dispatch carries. One kind is exempt: an entity created (or edited)
   * and then deleted, all before a Redis wipe lost the records, and never shown by a dispatch: S3 and
   * the site agree that it does not exist, and S3 keeps no trace the reconcile pass could list.
   */
  undispatched(): Edit[] {
    const dispatches = accepted(this.github).sort((a, b) => a.startedAt - b.startedAt);
    const lastListed = (id: string) =>
      dispatches.flatMap((d) => payloadOf(d).changes.filter((c) => c.id === id)).at(-1)?.action;
    const acked = this.editor.acknowledged();
    return uncarried(acked, this.github).filter((edit) => {
      const final = acked.filter((e) => e.id === edit.id).at(-1)!;
      const wipedSince = this.wipes.some((at) => at > final.ackAt);
      return !(wipedSince && final.action === 'deleted' && (lastListed(edit.id) ?? 'deleted') === 'deleted');
    });
  }

  /**
   * Pairs of dispatch requests that were open at the same time. One case is exempt: Redis restarted empty
   * while the first was in flight, which erased the in-flight record, the only thing that keeps a second
   * dispatch from starting (a documented limit; GitHub must be slower than the quiet window for it to show).
   */
  overlaps(): string[] {
    const requests = this.github.dispatches().sort((a, b) => a.startedAt - b.startedAt);
    const found: string[] = [];
    requests.forEach((first, i) => {
      for (const second of requests.slice(i + 1)) {
        if (second.startedAt >= (first.endedAt ?? Infinity)) continue;
        if (this.wipes.some((at) => at > first.startedAt && at < second.startedAt)) continue;
        found.push(`${payloadOf(first).deployId} and ${payloadOf(second).deployId}`);
      }
    });
    return found;
  }

  /** The dispatch requests GitHub saw, for a failure message. */
  timeline(): string {
    const t0 = this.github.dispatches()[0]?.startedAt ?? 0;
    return this.github
      .dispatches()
      .map(
        (d) =>
          `  +${d.startedAt - t0}..${d.endedAt === undefined ? 'open' : `+${d.endedAt - t0}`} ms ${d.status ?? 'no answer'} ${payloadOf(d).deployId} ${payloadOf(d).reason} [${payloadOf(
            d,
          )
            .changes.map((c) => `${c.action} ${c.id}`)
            .join(', ')}]`,
      )
      .join('\n');
  }

  async close(): Promise<void> {
    await Promise.all(this.apps.map((a) => a.close().catch(() => undefined)));
  }
}
