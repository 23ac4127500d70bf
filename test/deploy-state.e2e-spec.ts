import fc from 'fast-check';
import { Redis } from 'ioredis';
import type { ChangeAction } from '../src/content/content-change';
import { loadConfig } from '../src/config/load-config';
import { DeployEvents } from '../src/deploy/deploy-events';
import { DeployState, Wakeup } from '../src/deploy/deploy-state';
import type { Deploy, DeployStatus } from '../src/deploy/deploy.types';
import { RedisDeployState } from '../src/deploy/redis-deploy-state';
import { InMemoryDeployState } from '../src/deploy/testing/in-memory-deploy-state';
import { RedisService } from '../src/redis/redis.service';
import { backendKind } from './support/backends/backend-choice';
import { startRedis, TestRedis } from './support/backends/redis-backend';

const DEBOUNCE = 1_000;
const MAX_WAIT = 5_000;

/*
 * A small model of the deploy state, written from the rules as docs/deploys.md states them, and the real
 * Lua scripts on a real redis-server driven by the same random commands (time is an argument, so runs are
 * exact). Any difference in status, schedule, counts or listed changes fails the run.
 */

/** The schedule rule as the documentation states it. */
const fireAt = (first: number, last: number): number => Math.min(last + DEBOUNCE, first + MAX_WAIT);

/** How a deploy reports an entity changed several times: see docs/deploys.md. */
function netAction(first: ChangeAction, latest: ChangeAction): ChangeAction {
  if (first === 'created') return latest === 'deleted' ? 'deleted' : 'created';
  return latest === 'created' ? 'updated' : latest;
}

interface Entry {
  first: ChangeAction;
  latest: ChangeAction;
}

interface ModelDeploy {
  id: string;
  status: DeployStatus;
  /** Null until the deploy carries an edit (a manual deploy of nothing). */
  first: number | null;
  last: number | null;
  scheduledFor: number | null;
  forced: boolean;
  editCount: number;
  changes: Map<string, Entry>;
  jobs: number;
}

class Model {
  now = 1_700_000_000_000;
  next: ModelDeploy | null = null;
  inflight: (ModelDeploy & { jobId: string }) | null = null;
  done: ModelDeploy[] = [];
}

interface Real {
  state: DeployState;
}

function expectWakeup(actual: Wakeup | null, deploy: ModelDeploy | null, expected: boolean, promote = false): void {
  if (!expected || deploy === null) return expect(actual).toBeNull();
  expect(actual).toEqual({
    deployId: deploy.id,
    scheduledFor: deploy.scheduledFor,
    jobNumber: deploy.jobs,
    ...(promote ? { promote: true } : {}),
  });
}

/** Every deploy the model knows must read back from Redis exactly so. */
async function compare(model: Model, real: Real): Promise<void> {
  const pointers = await real.state.pointers();
  expect(pointers.next?.deployId ?? null).toBe(model.next?.id ?? null);
  expect(pointers.inflight).toEqual(model.inflight && { deployId: model.inflight.id, jobId: model.inflight.jobId });
  for (const deploy of [model.next, model.inflight, ...model.done.slice(-2)]) {
    if (deploy === null) continue;
    const stored = (await real.state.get(deploy.id)) as Deploy;
    expect({
      status: stored.status,
      scheduledFor: stored.scheduledFor,
      firstChangeAt: stored.firstChangeAt,
      lastChangeAt: stored.lastChangeAt,
      editCount: stored.editCount,
      changes: stored.changes.map((c) => `${c.id}:${c.action}`).sort(),
    }).toEqual({
      status: deploy.status,
      scheduledFor:
        deploy.status === 'held' || deploy.scheduledFor === null ? null : new Date(deploy.scheduledFor).toISOString(),
      firstChangeAt: deploy.first === null ? null : new Date(deploy.first).toISOString(),
      lastChangeAt: deploy.last === null ? null : new Date(deploy.last).toISOString(),
      editCount: deploy.editCount,
      changes: [...deploy.changes].map(([id, e]) => `${id}:${netAction(e.first, e.latest)}`).sort(),
    });
  }
}

const newDeploy = (id: string): ModelDeploy => ({
  id,
  status: 'pending',
  first: null,
  last: null,
  scheduledFor: null,
  forced: false,
  editCount: 0,
  changes: new Map(),
  jobs: 0,
});

class Edit implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly entity: string,
    readonly action: ChangeAction,
    readonly dt: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    model.now += this.dt;
    const wakeup = await real.state.recordChange(
      { kind: 'author', id: this.entity, action: this.action, at: new Date(model.now).toISOString() },
      model.now,
    );
    const created = model.next === null;
    const released = model.next?.status === 'held';
    const id = created ? (await real.state.pointers()).next!.deployId : model.next!.id;
    const next = (model.next ??= newDeploy(id));
    const entry = next.changes.get(this.entity);
    next.changes.set(this.entity, { first: entry?.first ?? this.action, latest: this.action });
    next.editCount++;
    next.first ??= model.now;
    next.last = model.now;
    next.status = 'pending';
    if (!next.forced) next.scheduledFor = fireAt(next.first, next.last);
    // Coalescing: only a new or released deploy needs a job, and only while nothing is in flight.
    const job = (created || released) && model.inflight === null;
    if (job) next.jobs++;
    expectWakeup(wakeup, next, job);
    // Max-wait: however busy editing is, no change waits longer than the cap.
    if (!next.forced) expect(next.scheduledFor).toBeLessThanOrEqual(next.first + MAX_WAIT);
    await compare(model, real);
  }
  toString = () => `edit(${this.entity} ${this.action} +${this.dt})`;
}

class Manual implements fc.AsyncCommand<Model, Real> {
  constructor(readonly dt: number) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    model.now += this.dt;
    const { deployId, wakeup } = await real.state.requestNow('manual', model.now);
    const next = (model.next ??= newDeploy(deployId));
    expect(deployId).toBe(next.id);
    const hadJob = next.status === 'pending' && next.jobs > 0;
    Object.assign(next, { status: 'pending', forced: true, scheduledFor: model.now });
    // The deploy's own job is made to run now rather than joined by a second one.
    const job = !hadJob && model.inflight === null;
    if (job) next.jobs++;
    expectWakeup(wakeup, next, hadJob || job, hadJob);
    await compare(model, real);
  }
  toString = () => `manual(+${this.dt})`;
}

class Claim implements fc.AsyncCommand<Model, Real> {
  constructor(readonly dt: number) {}
  check = (model: Readonly<Model>) => model.next !== null && model.next.jobs > 0;
  async run(model: Model, real: Real): Promise<void> {
    model.now += this.dt;
    const next = model.next!;
    const jobId = `${next.id}.${next.jobs}`;
    const claim = await real.state.claim(next.id, jobId, model.now);
    if (model.inflight !== null) expect(claim).toEqual({ kind: 'busy', deployId: model.inflight.id });
    else if (next.status === 'held') expect(claim).toEqual({ kind: 'held' });
    else if (next.scheduledFor! > model.now) expect(claim).toEqual({ kind: 'wait', scheduledFor: next.scheduledFor });
    else {
      expect(claim).toEqual({ kind: 'claimed', deployId: next.id });
      model.inflight = { ...next, status: 'dispatching', jobId };
      model.next = null;
    }
    await compare(model, real);
  }
  toString = () => `claim(+${this.dt})`;
}

class Retry implements fc.AsyncCommand<Model, Real> {
  check = (model: Readonly<Model>) => model.inflight !== null;
  async run(model: Model, real: Real): Promise<void> {
    const inflight = model.inflight!;
    await real.state.markRetrying(inflight.id, 1, 'GitHub answered 502', model.now + 100);
    inflight.scheduledFor = model.now + 100; // the retry's time
    expect(await real.state.claim(inflight.id, inflight.jobId, model.now)).toEqual({
      kind: 'resumed',
      deployId: inflight.id,
    });
    await compare(model, real);
  }
  toString = () => 'retry';
}

class Finish implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ok: boolean) {}
  check = (model: Readonly<Model>) => model.inflight !== null;
  async run(model: Model, real: Real): Promise<void> {
    const ended = model.inflight!;
    const wakeup = await real.state.finish(
      ended.id,
      { status: this.ok ? 'dispatched' : 'failed', attempts: 1, carry: !this.ok },
      model.now,
    );
    model.inflight = null;
    model.done.push({ ...ended, status: this.ok ? 'dispatched' : 'failed' });
    if (!this.ok && ended.changes.size > 0) {
      // Held: the failed deploy's changes wait in the deploy collecting changes (a new held one if none).
      const id = model.next?.id ?? (await real.state.pointers()).next!.deployId;
      const next = (model.next ??= { ...newDeploy(id), status: 'held', first: ended.first, last: ended.last });
      for (const [entity, older] of ended.changes) {
        const newer = next.changes.get(entity);
        next.changes.set(entity, newer ? { first: older.first, latest: newer.latest } : older);
      }
      next.editCount += ended.editCount;
      const firsts = [next.first, ended.first ?? model.now].filter((t) => t !== null);
      next.first = Math.min(...firsts);
      next.last ??= ended.last ?? model.now;
    }
    // In-flight follow-up: changes that came meanwhile get their job now.
    const job = model.next !== null && model.next.status !== 'held';
    if (job) model.next!.jobs++;
    expectWakeup(wakeup, model.next, job);
    await compare(model, real);
  }
  toString = () => `finish(${this.ok ? 'ok' : 'failed'})`;
}

class Restart implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const released = await real.state.releaseHeld(model.now);
    const next = model.next;
    if (next === null || next.status !== 'held') return expect(released).toBeNull();
    Object.assign(next, { status: 'pending', forced: true, scheduledFor: model.now });
    const job = model.inflight === null;
    if (job) next.jobs++;
    expect(released?.deployId).toBe(next.id);
    expectWakeup(released!.wakeup, next, job);
    await compare(model, real);
  }
  toString = () => 'restart';
}

const gap = fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 500, max: 3_000 }));
const commands = [
  fc
    .tuple(fc.constantFrom('ann', 'bob', 'cy'), fc.constantFrom<ChangeAction>('created', 'updated', 'deleted'), gap)
    .map(([e, a, dt]) => new Edit(e, a, dt)),
  gap.map((dt) => new Manual(dt)),
  gap.map((dt) => new Claim(dt)),
  fc.constant(new Retry()),
  fc.boolean().map((ok) => new Finish(ok)),
  fc.constant(new Restart()),
];

describe('deploy state: the Redis scripts against a model of the rules (real redis-server)', () => {
  let redis: TestRedis;
  let service: RedisService;
  let direct: Redis;
  let state: RedisDeployState;
  let events: DeployEvents;

  beforeAll(async () => {
    redis = await startRedis(backendKind());
    const config = loadConfig({
      REDIS_URL: redis.url,
      S3_BUCKET: 'unused',
      DEPLOY_DEBOUNCE_MS: String(DEBOUNCE),
      DEPLOY_MAX_WAIT_MS: String(MAX_WAIT),
    });
    service = new RedisService(config);
    await service.waitUntilReady(5_000);
    events = new DeployEvents();
    state = new RedisDeployState(service, events, config);
    direct = new Redis(redis.url);
  });

  afterAll(async () => {
    direct?.disconnect();
    await service?.onApplicationShutdown();
    await redis?.stop('SIGKILL');
  });

  it('coalesces, caps the wait, follows up in-flight changes, holds failures and takes manual requests exactly as the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), async (cmds) => {
        await direct.flushall();
        await fc.asyncModelRun(() => ({ model: new Model(), real: { state } }), cmds);
      }),
      { numRuns: 150 },
    );
  });

  it('a burst of any size inside the quiet window is one deploy that fires once the window has passed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: DEBOUNCE - 1 }), { minLength: 1, maxLength: 30 }),
        async (gaps) => {
          await direct.flushall();
          let now = 1_700_000_000_000;
          const first = now + gaps[0];
          const wakeups: (Wakeup | null)[] = [];
          for (const dt of gaps)
            wakeups.push(
              await state.recordChange(
                { kind: 'post', id: 'p', action: 'updated', at: new Date((now += dt)).toISOString() },
                now,
              ),
            );
          expect(wakeups.filter((w) => w !== null)).toHaveLength(1);
          const [deploy] = await state.list(10);
          expect(await state.list(10)).toHaveLength(1);
          expect(deploy.editCount).toBe(gaps.length);
          expect(Date.parse(deploy.scheduledFor!)).toBe(Math.min(now + DEBOUNCE, first + MAX_WAIT));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('publishes each transition it makes, with the deploy as it is after it', async () => {
    await direct.flushall();
    const seen: string[] = [];
    events.subscribe(
      ({ deploy, from, to }) => void seen.push(`${deploy.status === to ? '' : 'MISMATCH '}${from}->${to}`),
    );
    const now = 1_700_000_000_000;
    const { deployId } = (await state.recordChange(
      { kind: 'author', id: 'ann', action: 'updated', at: new Date(now).toISOString() },
      now,
    ))!;
    await state.recordChange(
      { kind: 'author', id: 'bob', action: 'updated', at: new Date(now).toISOString() },
      now + 1,
    ); // no transition
    await state.claim(deployId, `${deployId}.1`, now + DEBOUNCE + 1);
    await state.markRetrying(deployId, 1, 'GitHub answered 502', now + DEBOUNCE + 100);
    await state.claim(deployId, `${deployId}.1`, now + DEBOUNCE + 100);
    await state.finish(
      deployId,
      { status: 'failed', attempts: 2, lastError: 'GitHub answered 401', carry: true },
      now + DEBOUNCE + 200,
    );
    await state.releaseHeld(now + DEBOUNCE + 300);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([
      'null->pending',
      'pending->dispatching',
      'dispatching->retrying',
      'retrying->dispatching',
      'dispatching->failed',
      'null->held',
      'held->pending',
    ]);
  });

  /** The same steps on Redis and on the in-memory fake the unit tests use: both must settle alike. */
  async function settledOn(real: DeployState): Promise<{ dropped: string[]; added: number; listed: string[] }> {
    const at = (ms: number): string => new Date(ms).toISOString();
    const now = 1_700_000_000_000;
    const record = (id: string, action: ChangeAction, etag: string | undefined, ms: number) =>
      real.recordChange({ kind: 'post', id, action, at: at(ms), ...(etag && { etag }) }, ms);
    // A deploy that fails: its changes (and their ETags) are carried into the next one.
    const failed = (await record('carried', 'updated', 'c1', now))!.deployId;
    await real.claim(failed, `${failed}.1`, now + DEBOUNCE);
    await real.finish(failed, { status: 'failed', attempts: 1, lastError: 'no', carry: true }, now + DEBOUNCE);
    const { deployId } = (await record('raced', 'updated', 'r2', now + DEBOUNCE + 1))!;
    await record('edited', 'updated', 'e2', now + DEBOUNCE + 2);
    await record('gone', 'deleted', undefined, now + DEBOUNCE + 3);
    await record('twice', 'updated', 't1', now + DEBOUNCE + 4);
    await record('twice', 'updated', 't2', now + DEBOUNCE + 5);
    await record('rewritten', 'updated', 'w1', now + DEBOUNCE + 6);
    await record('rewritten', 'updated', 'w2', now + DEBOUNCE + 7);
    expect((await real.claim(deployId, `${deployId}.1`, now + 3 * DEBOUNCE)).kind).toBe('claimed');
    const settled = await real.settleChanges(
      deployId,
      [{ kind: 'author', id: 'found', action: 'created', at: at(now) }],
      {
        'post:carried': 'c1',
        'post:raced': 'r2',
        'post:edited': 'e1',
        'post:gone': 'g1',
        'post:twice': 't1',
        'post:rewritten': 'w2',
      },
    );
    const deploy = (await real.get(deployId))!;
    expect(JSON.stringify(deploy)).not.toMatch(/"etag"|"first"/);
    expect(deploy.changeCount).toBe(deploy.changes.length);
    return { ...settled, listed: deploy.changes.map((c) => `${c.kind}:${c.id} ${c.action}`).sort() };
  }

  it('settling a claimed deploy adds what S3 showed and leaves out only writes whose very ETag the last dispatch carried', async () => {
    await direct.flushall();
    const expected = {
      added: 1,
      dropped: expect.arrayContaining(['post:carried', 'post:raced', 'post:rewritten']) as unknown,
      listed: ['author:found created', 'post:edited updated', 'post:gone deleted', 'post:twice updated'],
    };
    const onRedis = await settledOn(state);
    expect(onRedis).toEqual(expected);
    expect(onRedis.dropped).toHaveLength(3);
    const inMemory = await settledOn(new InMemoryDeployState(DEBOUNCE));
    expect(inMemory).toEqual(expected);
    expect(inMemory.dropped).toHaveLength(3);
  });

  it('runs its scripts again after Redis forgot them (NOSCRIPT, as after a restart)', async () => {
    await direct.flushall();
    const now = 1_700_000_000_000;
    await state.recordChange({ kind: 'author', id: 'ann', action: 'updated', at: new Date(now).toISOString() }, now);
    await direct.script('FLUSH');
    await state.recordChange(
      { kind: 'author', id: 'bob', action: 'updated', at: new Date(now).toISOString() },
      now + 1,
    );
    expect((await state.list(1))[0]).toMatchObject({ editCount: 2, changeCount: 2 });
  });
});
