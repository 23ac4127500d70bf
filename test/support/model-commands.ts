import fc from 'fast-check';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENTITIES, Model, Pipeline } from './model-pipeline';
import { waitFor } from './wait-for';

type Command = fc.AsyncCommand<Model, Pipeline>;

class Edit implements Command {
  constructor(
    readonly app: number,
    readonly entity: string,
    readonly remove: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, p: Pipeline): Promise<void> {
    const url = p.apps[this.app].url;
    const edit = this.remove
      ? await p.editor.remove(url, this.entity)
      : await p.editor.save(url, this.entity, `bio ${p.editor.edits.length}`);
    p.log.push(`${this.toString()}=${edit.status}`);
    if (![200, 201, 204, 404].includes(edit.status)) throw new Error(`${this.toString()} answered ${edit.status}`);
  }
  toString = () => `${this.remove ? 'delete' : 'save'}(${this.app},${this.entity})`;
}

class Burst implements Command {
  constructor(readonly entities: string[]) {}
  check = () => true;
  async run(_m: Model, p: Pipeline): Promise<void> {
    const edits = await Promise.all(
      this.entities.map((e, i) => p.editor.save(p.apps[i % p.apps.length].url, e, `burst ${i}`)),
    );
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
    const inFlight = await waitFor(
      'a dispatch in flight',
      () =>
        p.github
          .dispatches()
          .slice(before)
          .find((d) => d.endedAt === undefined),
      10_000,
    ).catch(() => undefined);
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
    // Each instance reconnects on its own backoff (up to 2 s apart): the next step may write through any of them.
    await Promise.all(
      p.apps.map((app, i) =>
        waitFor(`instance ${i} to accept writes again`, async () => (await fetch(`${app.url}/health/ready`)).ok),
      ),
    );
    p.log.push(this.toString());
  }
  toString = () => 'redisRestartEmpty';
}

class ManualDeploy implements Command {
  constructor(readonly app: number) {}
  check = () => true;
  async run(_m: Model, p: Pipeline): Promise<void> {
    const res = await fetch(`${p.apps[this.app].url}/deploys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    p.log.push(`${this.toString()}=${res.status}`);
    if (res.status !== 202) throw new Error(`POST /deploys answered ${res.status}`);
  }
  toString = () => `manual(${this.app})`;
}

const app = fc.integer({ min: 0, max: 1 });
const entity = fc.constantFrom(...ENTITIES);
/** The steps the model test draws from (weights: how often each is drawn). */
export const commands = [
  fc.oneof(
    { weight: 6, arbitrary: fc.tuple(app, entity).map(([a, e]): Command => new Edit(a, e, false)) },
    { weight: 3, arbitrary: fc.tuple(app, entity).map(([a, e]): Command => new Edit(a, e, true)) },
    {
      weight: 3,
      arbitrary: fc.uniqueArray(entity, { minLength: 2, maxLength: 4 }).map((es): Command => new Burst(es)),
    },
    {
      weight: 3,
      arbitrary: fc
        .array(fc.constantFrom(500, 502, 503), { minLength: 1, maxLength: 3 })
        .map((s): Command => new FailGithub(s)),
    },
    { weight: 4, arbitrary: fc.integer({ min: 50, max: 500 }).map((ms): Command => new Pause(ms)) },
    {
      weight: 3,
      arbitrary: fc.tuple(app, fc.boolean()).map(([a, abruptly]): Command => new RestartInstance(a, abruptly)),
    },
    { weight: 2, arbitrary: fc.constant<Command>(new RestartRedis()) },
    { weight: 2, arbitrary: app.map((a): Command => new ManualDeploy(a)) },
    // Rare: a crash in the middle of a dispatch waits out the job lock (~10-15 s) before another worker takes over.
    { weight: 1, arbitrary: fc.constant<Command>(new PowerCut()) },
  ),
];
