import { signature } from './support/fake-github-deliveries';
import { ServiceProcess, killAllServices } from './support/processes';
import { RunTrackingWorld, call, deployIn, editAndDispatch } from './support/run-tracking-harness';
import { waitFor } from './support/wait-for';

const SECRET = 'whsec-test-0123456789';

/** POST /webhooks/github: signed workflow_run deliveries move deploys at once; nothing else does anything. */
describe('run tracking (webhooks)', () => {
  let world: RunTrackingWorld;
  let service: ServiceProcess;

  beforeAll(async () => {
    world = await RunTrackingWorld.start();
    service = await world.service('hooked', 'hook', { GITHUB_WEBHOOK_SECRET: SECRET, DEPLOY_RUN_TIMEOUT_MS: '60000' });
    world.actions.webhooks.target = { url: `${service.url}/webhooks/github`, secret: SECRET };
  });

  afterAll(async () => {
    await killAllServices();
    await world?.stop();
  });

  afterEach(() => {
    world.actions.plans.length = 0;
    world.actions.delayMs = 0;
  });

  it('counts the GitHub requests one deploy costs with webhooks', async () => {
    const requestsBefore = world.github.requests.length;
    const deployId = await editAndDispatch(service, world.github, 'ada', 'counted');
    await deployIn(service, deployId, ['live']);
    const asked = world.github.requests.slice(requestsBefore).filter((r) => r.path.includes('/actions/runs'));
    process.stdout.write(`GitHub requests to follow one deploy with webhooks (250 ms run): ${asked.length}\n`);
    expect(asked.length).toBeLessThanOrEqual(2);
  });

  it('a forged or missing signature is 401 and changes nothing; the genuine delivery then moves the deploy', async () => {
    world.actions.plan('manual');
    const deployId = await editAndDispatch(service, world.github, 'ada', 'forged');
    await deployIn(service, deployId, ['building']);
    const run = world.actions.runOf(deployId)!;
    const forged = world.actions.payload({ ...run, status: 'completed', conclusion: 'failure' }, 'completed');
    expect(await world.actions.webhooks.deliver(forged, signature('not-the-secret', forged))).toBe(401);
    expect(await world.actions.webhooks.deliver(forged, undefined)).toBe(401);
    expect(await world.actions.webhooks.deliver(`${forged} `, signature(SECRET, forged))).toBe(401);
    // Not even JSON: without the secret that is still a 401 (the signature is checked before the body is read).
    const garbage = '{"action": "completed", "workflow_run"';
    expect(await world.actions.webhooks.deliver(garbage, undefined)).toBe(401);
    expect(await world.actions.webhooks.deliver(garbage, signature('not-the-secret', garbage))).toBe(401);
    expect(await world.actions.webhooks.deliver(garbage, signature(SECRET, garbage))).toBe(400);
    expect((await call<{ status: string }>(service, 'GET', `/deploys/${deployId}`)).body.status).toBe('building');

    world.actions.start(run.id);
    world.actions.complete(run.id, 'success');
    await deployIn(service, deployId, ['live']);
  });

  it('replayed and late deliveries, other events and unknown runs are acknowledged and change nothing', async () => {
    const deployId = await editAndDispatch(service, world.github, 'ada', 'replayed');
    await deployIn(service, deployId, ['live']);
    const run = world.actions.runOf(deployId)!;
    await waitFor('every delivery answered', () => world.actions.webhooks.sent.every((d) => d.status !== undefined));
    const late = world.actions.payload({ ...run, status: 'in_progress', conclusion: null }, 'in_progress');
    expect(await world.actions.webhooks.deliver(late, signature(SECRET, late))).toBe(204);
    const stranger = world.actions.payload({ ...run, id: 1, title: 'deploy someone-else' }, 'completed');
    expect(await world.actions.webhooks.deliver(stranger, signature(SECRET, stranger))).toBe(204);
    const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    expect(await world.actions.webhooks.deliver(ping, signature(SECRET, ping), 'ping')).toBe(204);
    expect(await deployIn(service, deployId, ['live'])).toMatchObject({
      run: { status: 'completed', conclusion: 'success' },
    });
    expect(world.actions.webhooks.sent.every((d) => d.status === 204)).toBe(true);
  });

  it('webhooks are faster than polling: the deploy goes live while GitHub has not answered a single poll', async () => {
    // Last: every runs request hangs (and times out in the service), so only the deliveries can move the deploy.
    world.actions.delayMs = 30_000;
    const requestsBefore = world.github.requests.length;
    const deployId = await editAndDispatch(service, world.github, 'ada', 'hooked');
    const live = await deployIn(service, deployId, ['live']);
    const runRequests = world.github.requests.slice(requestsBefore).filter((r) => r.path.includes('/actions/runs'));
    expect(runRequests.every((r) => r.status === undefined)).toBe(true);
    expect(live.run).toMatchObject({ id: world.actions.runOf(deployId)!.id, conclusion: 'success' });
  });
});
