/** Is an entity's latest change on the site? The answer of GET /authors/:id/deploy-status and /posts/:id/deploy-status. */
export type SiteState = 'live' | 'pending' | 'building' | 'failed' | 'not-on-site' | 'unknown';

export interface DeployStatusAnswer {
  state: SiteState;
  deployId: string | null;
  runUrl: string | null;
  /** ISO time the entity entered this state, as far as the records tell. */
  since: string | null;
}

/** The deploy fields the answer is read from. */
export interface DeployFacts {
  id: string;
  status: string;
  changes: { kind: string; id: string; at: string }[];
  lastChangeAt: string | null;
  dispatchedAt: string | null;
  run: { url: string; startedAt: string | null; completedAt: string | null } | null;
}

const WAITING = new Set(['pending', 'held', 'dispatching', 'retrying']);
const IN_BUILD = new Set(['dispatched', 'building']);
const SENT = new Set(['dispatched', 'building', 'live', 'build-failed', 'superseded']);

function answer(state: SiteState, deploy: DeployFacts | undefined, since: string | null): DeployStatusAnswer {
  return { state, deployId: deploy?.id ?? null, runUrl: deploy?.run?.url ?? null, since };
}

/**
 * `chain` is the newest deploy that names the entity followed by every deploy created after it, oldest first.
 * The site is built from the whole bucket, so any build that started after the entity's change carries it:
 * the first later deploy that went live makes it live, a superseded deploy follows the ones after it, and a
 * failure counts only while nothing newer is building or live.
 */
export function siteStateOf(
  entity: { kind: string; id: string; onSite: boolean },
  chain: DeployFacts[],
): DeployStatusAnswer {
  if (!entity.onSite) return answer('not-on-site', undefined, null);
  const carrier = chain[0];
  if (!carrier) return answer('unknown', undefined, null);
  if (WAITING.has(carrier.status)) {
    const change = carrier.changes.find((c) => c.kind === entity.kind && c.id === entity.id);
    return answer('pending', carrier, change?.at ?? carrier.lastChangeAt);
  }
  if (carrier.status === 'dry-run') return answer('not-on-site', carrier, carrier.dispatchedAt);
  const sent = chain.filter((deploy) => SENT.has(deploy.status));
  const live = sent.find((deploy) => deploy.status === 'live');
  if (live) return answer('live', live, live.run?.completedAt ?? live.dispatchedAt);
  const building = sent.filter((deploy) => IN_BUILD.has(deploy.status)).at(-1);
  if (building) return answer('building', building, building.run?.startedAt ?? building.dispatchedAt);
  const failed = [...sent].reverse().find((deploy) => deploy.status === 'build-failed') ?? carrier;
  if (failed.status === 'superseded') return answer('building', failed, failed.dispatchedAt);
  return answer('failed', failed, failed.run?.completedAt ?? failed.dispatchedAt ?? failed.lastChangeAt);
}
