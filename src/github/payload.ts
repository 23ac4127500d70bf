import { DispatchRequest } from './github.types';

/** Contract §6: the workflow sees at most the newest 50 changes; `truncated` says some were left out. */
export const MAX_PAYLOAD_CHANGES = 50;
/**
 * GitHub refuses a client_payload over 64 KB (and more than 10 top-level keys). We stay well under, leaving
 * room for the request envelope (`event_type` is at most 100 characters).
 */
export const MAX_PAYLOAD_BYTES = 60_000;

export interface PayloadChange {
  kind: string;
  id: string;
  action: string;
  at: string;
}

/** A type alias, not an interface, so it fits Octokit's `{ [key: string]: unknown }` client_payload. */
export type ClientPayload = {
  deployId: string;
  reason: string;
  changeCount: number;
  editCount: number;
  /** Newest first. */
  changes: PayloadChange[];
  firstChangeAt: string | null;
  lastChangeAt: string | null;
  truncated: boolean;
};

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function newestFirst(changes: DispatchRequest['changes']): PayloadChange[] {
  // Copy only the four documented fields: nothing else on a change object reaches GitHub.
  const copies = changes.map(({ kind, id, action, at }) => ({ kind, id, action, at }));
  // Deploy records already list changes newest first; a stable sort keeps that order and fixes any other.
  return copies.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

/**
 * The client_payload of a dispatch (contract §6): eight keys, `changes` cut to the newest 50 and further
 * (oldest first) while the payload would exceed MAX_PAYLOAD_BYTES, e.g. with very long ids.
 * `truncated` is true exactly when some change was left out. `changeCount` stays the full count.
 */
export function buildClientPayload(request: DispatchRequest): ClientPayload {
  const sorted = newestFirst(request.changes);
  const payload: ClientPayload = {
    deployId: request.deployId,
    reason: request.reason,
    changeCount: request.changeCount,
    editCount: request.editCount,
    changes: [],
    firstChangeAt: request.firstChangeAt,
    lastChangeAt: request.lastChangeAt,
    truncated: false, // measured as `false`, the longer spelling, so the budget holds either way
  };
  let budget = MAX_PAYLOAD_BYTES - jsonBytes(payload);
  for (const change of sorted.slice(0, MAX_PAYLOAD_CHANGES)) {
    const size = jsonBytes(change) + (payload.changes.length > 0 ? 1 : 0); // the comma between entries
    if (size > budget) break;
    payload.changes.push(change);
    budget -= size;
  }
  payload.truncated = payload.changes.length < sorted.length;
  return payload;
}
