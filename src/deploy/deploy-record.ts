import { randomUUID } from 'node:crypto';
import type { ContentChange } from '../content/content-change';
import type { Deploy, DeployReason, DeployRun, DeployStatus } from './deploy.types';

/** Deploy ids sort by time and are unique across instances. */
export function newDeployId(now = Date.now()): string {
  return `${now.toString(36)}-${randomUUID().slice(0, 8)}`;
}

const iso = (ms: string | undefined): string | null =>
  ms === undefined || ms === '' ? null : new Date(Number(ms)).toISOString();

/** The field naming an entity in a deploy's change list (`<kind>:<id>`), as the scripts spell it too. */
export function changeField({ kind, id }: { kind: ContentChange['kind']; id: string }): string {
  return `${kind}:${id}`;
}

/** Newest first; ties by kind and id so the order is stable. */
export function newestFirst(a: ContentChange, b: ContentChange): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  const ka = `${a.kind}:${a.id}`;
  const kb = `${b.kind}:${b.id}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** A stored change entry without what only the scripts use (`first`, the action that started it, and `etag`). */
function publicChange(json: string): ContentChange {
  const { kind, id, action, at } = JSON.parse(json) as ContentChange;
  return { kind, id, action, at };
}

/** A deploy record as the scripts store it (a hash of strings, times in epoch ms) and its change list, as the API shows it. */
export function toDeploy(record: Record<string, string>, changeEntries: string[]): Deploy {
  const changes = changeEntries.map(publicChange).sort(newestFirst);
  const status = record.status as DeployStatus;
  return {
    id: record.id,
    status,
    reason: record.reason as DeployReason,
    changes,
    changeCount: changes.length,
    editCount: Number(record.editCount ?? 0),
    firstChangeAt: iso(record.firstChangeAt),
    lastChangeAt: iso(record.lastChangeAt),
    scheduledFor: status === 'held' ? null : iso(record.scheduledFor),
    dispatchedAt: iso(record.dispatchedAt),
    attempts: Number(record.attempts ?? 0),
    lastError: record.lastError ?? null,
    run: record.run ? (JSON.parse(record.run) as DeployRun) : null,
  };
}
