import { DeployFacts, siteStateOf } from './deploy-status.rules';

const post = { kind: 'post', id: 'hello', onSite: true };
let clock = 0;
function deploy(status: string, over: Partial<DeployFacts> = {}): DeployFacts {
  clock++;
  const at = new Date(Date.UTC(2026, 11, 1, 10, clock)).toISOString();
  return {
    id: `d${clock}`,
    status,
    changes: [{ kind: 'post', id: 'hello', at }],
    lastChangeAt: at,
    dispatchedAt: at,
    run: { url: `https://run/${clock}`, startedAt: at, completedAt: at },
    ...over,
  };
}

describe('siteStateOf', () => {
  it('drafts and scheduled posts are not on the site, whatever the deploys say', () => {
    expect(siteStateOf({ ...post, onSite: false }, [deploy('live')]).state).toBe('not-on-site');
  });

  it('no deploy names the entity: unknown', () => {
    expect(siteStateOf(post, [])).toEqual({ state: 'unknown', deployId: null, runUrl: null, since: null });
  });

  it.each([
    ['pending', 'pending'],
    ['held', 'pending'],
    ['dispatching', 'pending'],
    ['retrying', 'pending'],
    ['dispatched', 'building'],
    ['building', 'building'],
    ['live', 'live'],
    ['build-failed', 'failed'],
    ['failed', 'failed'],
    ['dry-run', 'not-on-site'],
  ])('a deploy that is %s alone answers %s', (status, state) => {
    const only = deploy(status);
    expect(siteStateOf(post, [only])).toMatchObject({ state, deployId: state === 'not-on-site' ? only.id : only.id });
  });

  it('a superseded deploy follows the newer one', () => {
    const old = deploy('superseded');
    const newer = deploy('live', { changes: [] });
    expect(siteStateOf(post, [old, newer])).toMatchObject({
      state: 'live',
      deployId: newer.id,
      runUrl: newer.run!.url,
    });
    expect(siteStateOf(post, [old, deploy('building', { changes: [] })]).state).toBe('building');
    expect(siteStateOf(post, [old, deploy('build-failed', { changes: [] })]).state).toBe('failed');
  });

  it('a failed build counts only while nothing newer is building or live', () => {
    const failed = deploy('build-failed');
    expect(siteStateOf(post, [failed, deploy('pending', { changes: [] })])).toMatchObject({
      state: 'failed',
      deployId: failed.id,
    });
    expect(siteStateOf(post, [failed, deploy('building', { changes: [] })]).state).toBe('building');
    expect(siteStateOf(post, [failed, deploy('live', { changes: [] })]).state).toBe('live');
  });

  it('pending since the entity change itself', () => {
    const waiting = deploy('pending', {
      changes: [
        { kind: 'author', id: 'ada', at: 'A' },
        { kind: 'post', id: 'hello', at: 'B' },
      ],
    });
    expect(siteStateOf(post, [waiting]).since).toBe('B');
  });
});
