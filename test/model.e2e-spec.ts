import { WorkerHost } from '@nestjs/bullmq';
import { DiscoveryService } from '@nestjs/core';
import fc from 'fast-check';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisService } from '../src/redis/redis.service';
import { FakeGithub } from './support/fake-github';
import { accepted, duplicateDispatches, Edit as AckedEdit, Editor, payloadOf, uncarried } from './support/resilience';
import { RunningApp, TestStack, startApp } from './support/stack';
import { waitFor } from './support/wait-for';

type Role = 'all' | 'api';
interface Model {
  roles: Role[];
  /** GitHub failures still allowed this run: fewer than DEPLOY_MAX_ATTEMPTS, so no deploy fails for good. */
  failuresLeft: number;
}
type Command = fc.AsyncCommand<Model, Pipeline>;

const ENTITIES = ['ann', 'bob', 'cy', 'dee'];
const ENV = { DEPLOY_DEBOUNCE_MS: '200', DEPLOY_MAX_WAIT_MS: '1000', DEPLOY_BACKOFF_MS: '50', DEPLOY_MAX_ATTEMPTS: '8', DEPLOY_RECONCILE_MS: '500' };

/**
 * "Kills" an in-process instance: what a kill -9 stops at once stops at once (no further Redis command
 * goes out, so nothing is recorded or handed over; the job lock is no longer renewed; the HTTP server goes
 * away). A GitHub request already sent may still reach GitHub, as it may after a real kill -9.
 * Then the remains are closed to free their handles.
 */
async function crash(running: RunningApp): Promise<void> {
  const { app } = running;
  app.get(RedisService).client.disconnect();
  for (const wrapper of app.get(DiscoveryService).getProviders()) {
    if (wrapper.instance instanceof WorkerHost) void wrapper.instance.worker.close(true).catch(() => undefined);
  }
  app.getHttpServer().closeAllConnections();
  await Promise.race([app.close().catch(() => undefined), sleep(10_000, undefined, { ref: false })]);
}

/** The system under test: two instances on one Redis, one bucket and the fake GitHub. */
class Pipeline {
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
    const pipeline = new Pipeline(stack, github, stack.env({ ...ENV, QUEUE_PREFIX: `model${run}`, GITHUB_TOKEN: 'ghp_model', GITHUB_REPOSITORY: 'acme/blog', GITHUB_API_URL: github.url }), roles);
    for (const role of roles) pipeline.apps.push(await startApp(pipeline.stack.config({ ...pipeline.env, APP_ROLE: role })));
    return pipeline;
  }

  async replace(index: number, abruptly: boolean): Promise<void> {
    if (abruptly) await crash(this.apps[index]);
    else await this.apps[index].close();
    this.apps[index] = await startApp(this.stack.config({ ...this.env, APP_ROLE: this.roles[index] }));
  }

  /** Every acknowledged edit dispatched (a deploy may need a stalled-job takeover: ~10-15 s). */
  async settle(): Promise<void> {
    await waitFor('every acknowledged edit to be dispatched', () => this.undispatched().length === 0, 45_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(this.undispatched())}\n${this.timeline()}\nsteps: ${this.log.join(' | ')}`);
    });
  }

  /**
   * Acknowledged edits no accepted dispatch carries. One kind is exempt: an entity created (or edited)
   * and then deleted, all before a Redis wipe lost the records, and never shown by a dispatch: S3 and
   * the site agree that it does not exist, and S3 keeps no trace the reconcile pass could list.
   */
  undispatched(): AckedEdit[] {
    const dispatches = accepted(this.github).sort((a, b) => a.startedAt - b.startedAt);
    const lastListed = (id: string) => dispatches.flatMap((d) => payloadOf(d).changes.filter((c) => c.id === id)).at(-1)?.action;
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
      .map((d) => `  +${d.startedAt - t0}..${d.endedAt === undefined ? 'open' : `+${d.endedAt - t0}`} ms ${d.status ?? 'no answer'} ${payloadOf(d).deployId} ${payloadOf(d).reason} [${payloadOf(d).changes.map((c) => `${c.action} ${c.id}`).join(', ')}]`)
      .join('\n');
  }

  async close(): Promise<void> {
    await Promise.all(this.apps.map((a) => a.close().catch(() => undefined)));
  }
}

class Edit implements Command {
  constructor(
    readonly app: number,
    readonly entity: string,
    readonly remove: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, p: Pipeline): Promise<void> {
    const url = p.apps[this.app].url;
    const edit = this.remove ? await p.editor.remove(url, this.entity) : await p.editor.save(url, this.entity, `bio ${p.editor.edits.length}`);
    p.log.push(`${this.toString()}=${edit.status}`);
    if (![200, 201, 204, 404].includes(edit.status)) throw new Error(`${this.toString()} answered ${edit.status}`);
  }
  toString = () => `${this.remove ? 'delete' : 'save'}(${this.app},${this.entity})`;
}

class Burst implements Command {
  constructor(readonly entities: string[]) {}
  check = () => true;
  async run(_m: Model, p: Pipeline): Promise<void> {
    const edits = await Promise.all(this.entities.map((e, i) => p.editor.save(p.apps[i % p.apps.length].url, e, `burst ${i}`)));
    p.log.push(`${this.toString()}=${edits.map((e) => e.status).join(',')}`);
  }
  toString = () => `burst(${this.entities.join(',')})`;
}

class FailGithub implements Command {
  constructor(readonly statuses: number[]) {}
  check = (m: Readonly<Model>) => m.failuresLeft >= this.statuses.length;
  run(m: Model, p: Pipeline): Promise<void> {
    m.failuresLeft -= this.statuses.length;
    p.github.respond('dispatch', ...this.statuses.map((status) => ({ status, body: { message: 'Server Error' } })));
    p.log.push(this.toString());
    return Promise.resolve();
  }
  toString = () => `githubFails(${this.statuses.join(',')})`;
}

class Pause implements Command {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_m: Model, p: Pipeline): Promise<void> {
    await sleep(this.ms); // lets quiet windows close between steps: timing is the thing being varied
    p.log.push(this.toString());
  }
  toString = () => `pause(${this.ms})`;
}

class RestartInstance implements Command {
  constructor(
    readonly app: number,
    readonly abruptly: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, p: Pipeline): Promise<void> {
    await p.replace(this.app, this.abruptly);
    p.log.push(this.toString());
  }
  toString = () => `${this.abruptly ? 'crash' : 'restart'}(${this.app})`;
}

/** Every instance is killed while GitHub is still answering a dispatch, then all are started again. */
class PowerCut implements Command {
  check = () => true;
  async run(_m: Model, p: Pipeline): Promise<void> {
    const before = p.github.dispatches().length;
    p.github.respond('dispatch', { status: 204, delayMs: 1_000 });
    await p.editor.save(p.apps[0].url, 'ann', 'in flight at the power cut');
    const inFlight = await waitFor('a dispatch in flight', () => p.github.dispatches().slice(before).find((d) => d.endedAt === undefined), 10_000).catch(() => undefined);
    for (let i = 0; i < p.apps.length; i++) await p.replace(i, true);
    p.log.push(`${this.toString()}${inFlight ? '' : ' (nothing was in flight)'}`);
  }
  toString = () => 'powerCut';
}

class RestartRedis implements Command {
  check = () => true;
  async run(_m: Model, p: Pipeline): Promise<void> {
    await p.stack.redis.stop('SIGKILL'); // its data is gone: the reconcile pass has to find what was pending
    p.wipes.push(Date.now());
    const during = await p.editor.save(p.apps[0].url, 'ann', 'while Redis is down');
    if (during.status !== 503) throw new Error(`a write while Redis was down answered ${during.status}, not 503`);
    await p.stack.redis.start();
    await waitFor('writes to be accepted again', async () => (await fetch(`${p.apps[0].url}/health/ready`)).ok);
    p.log.push(this.toString());
  }
  toString = () => 'redisRestartEmpty';
}

class ManualDeploy implements Command {
  constructor(readonly app: number) {}
  check = () => true;
  async run(_m: Model, p: Pipeline): Promise<void> {
    const res = await fetch(`${p.apps[this.app].url}/deploys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    p.log.push(`${this.toString()}=${res.status}`);
    if (res.status !== 202) throw new Error(`POST /deploys answered ${res.status}`);
  }
  toString = () => `manual(${this.app})`;
}

const app = fc.integer({ min: 0, max: 1 });
const entity = fc.constantFrom(...ENTITIES);
const commands = [
  fc.oneof(
    { weight: 6, arbitrary: fc.tuple(app, entity).map(([a, e]): Command => new Edit(a, e, false)) },
    { weight: 3, arbitrary: fc.tuple(app, entity).map(([a, e]): Command => new Edit(a, e, true)) },
    { weight: 3, arbitrary: fc.uniqueArray(entity, { minLength: 2, maxLength: 4 }).map((es): Command => new Burst(es)) },
    { weight: 3, arbitrary: fc.array(fc.constantFrom(500, 502, 503), { minLength: 1, maxLength: 3 }).map((s): Command => new FailGithub(s)) },
    { weight: 4, arbitrary: fc.integer({ min: 50, max: 500 }).map((ms): Command => new Pause(ms)) },
    { weight: 3, arbitrary: fc.tuple(app, fc.boolean()).map(([a, abruptly]): Command => new RestartInstance(a, abruptly)) },
    { weight: 2, arbitrary: fc.constant<Command>(new RestartRedis()) },
    { weight: 2, arbitrary: app.map((a): Command => new ManualDeploy(a)) },
    // Rare: a crash in the middle of a dispatch waits out the job lock (~10-15 s) before another worker takes over.
    { weight: 1, arbitrary: fc.constant<Command>(new PowerCut()) },
  ),
];

/**
 * Model-based test of the whole deploy pipeline (issue 4): random interleavings of edits through two
 * in-process instances, GitHub failures, instance crashes and restarts, and Redis restarts that lose
 * everything. After each run settles, the two invariants of contract §5.3 must hold: every acknowledged
 * edit is carried by a dispatch that started after its S3 write, and no two dispatches overlapped.
 */
describe('deploy pipeline model', () => {
  let stack: TestStack;
  let github: FakeGithub;
  const totals = { runs: 0, steps: 0, edits: 0, dispatches: 0, duplicates: 0 };

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
  });

  afterAll(async () => {
    process.stdout.write(`[model] ${totals.runs} runs, ${totals.steps} steps, ${totals.edits} acknowledged edits, ${totals.dispatches} accepted dispatches, ${totals.duplicates} duplicate dispatch(es)\n`);
    await github?.close();
    await stack?.stop();
  });

  it('every acknowledged edit is dispatched after it, and dispatches never overlap', async () => {
    let run = 0;
    const property = fc.asyncProperty(fc.constantFrom<Role[]>(['all', 'api'], ['all', 'all']), fc.commands(commands, { maxCommands: 10 }), async (roles, steps) => {
      github.reset();
      const pipeline = await Pipeline.start(stack, github, roles, run++);
      try {
        await fc.asyncModelRun(() => ({ model: { roles, failuresLeft: 5 }, real: pipeline }), steps);
        await pipeline.settle();
        const overlaps = pipeline.overlaps();
        if (overlaps.length > 0) throw new Error(`two dispatches overlapped (${overlaps.join('; ')}):\n${pipeline.timeline()}\nsteps: ${pipeline.log.join(' | ')}`);
        totals.runs++;
        totals.steps += pipeline.log.length;
        totals.edits += pipeline.editor.acknowledged().length;
        totals.dispatches += accepted(github).length;
        totals.duplicates += duplicateDispatches(github);
      } finally {
        await pipeline.close();
      }
    });
    // No shrinking (each run takes seconds): the seed and the failing steps are printed instead.
    // MODEL_SEED (and MODEL_PATH) replay a failure printed by fast-check; MODEL_RUNS runs longer.
    const replay = process.env.MODEL_SEED ? { seed: Number(process.env.MODEL_SEED), path: process.env.MODEL_PATH } : {};
    await fc.assert(property, { numRuns: Number(process.env.MODEL_RUNS ?? 15), endOnFailure: true, ...replay });
  }, 240_000);
});
