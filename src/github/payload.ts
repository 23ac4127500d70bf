import type { ContentChange } from '../content/content-change';
import { DispatchRequest } from './github.types';

/** The workflow sees at most the newest 50 changes; `truncated` says some were left out. */
export const MAX_PAYLOAD_CHANGES = 50;
/**
 * GitHub refuses a client_payload over 64 KB (and more than 10 top-level keys). We stay well under, leaving
 * room for the request envelope (`event_type` is at most 100 characters).
 */
export const MAX_PAYLOAD_BYTES = 60_000;

/** One entry of `changes`: the service's one change shape, as the workflow receives it. */
export type PayloadChange = ContentChange;

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

/** The newest changes, in order, while each one's size (given its position) still fits the budget. */
function newestWithin(
  sorted: PayloadChange[],
  budget: number,
  sizeOf: (change: PayloadChange, index: number) => number,
): PayloadChange[] {
  const kept: PayloadChange[] = [];
  for (const change of sorted.slice(0, MAX_PAYLOAD_CHANGES)) {
    const size = sizeOf(change, kept.length);
    if (size > budget) break;
    kept.push(change);
    budget -= size;
  }
  return kept;
}

/**
 * The client_payload of a repository_dispatch: eight keys, `changes` cut to the newest 50 and further
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
  const budget = MAX_PAYLOAD_BYTES - jsonBytes(payload);
  // Each entry costs its JSON plus the comma before it.
  payload.changes = newestWithin(sorted, budget, (change, index) => jsonBytes(change) + (index > 0 ? 1 : 0));
  payload.truncated = payload.changes.length < sorted.length;
  return payload;
}

/**
 * GitHub takes at most 65,535 characters of workflow_dispatch inputs (and 25 of them). We stay under, counting
 * the inputs as sent: `changes` is JSON inside JSON, so its quotes are escaped once more.
 */
export const MAX_INPUTS_CHARS = 60_000;

/** A type alias, not an interface, so it fits Octokit's `{ [key: string]: unknown }` inputs. */
export type WorkflowInputs = {
  deploy_id: string;
  reason: string;
  /** Every entity changed, also those left out of `changes`. */
  change_count: string;
  /** JSON text of the newest changes (at most 50), newest first. */
  changes: string;
};

/** The inputs of a workflow_dispatch: every value a string, as GitHub requires for `type: string` inputs. */
export function buildWorkflowInputs(request: DispatchRequest): WorkflowInputs {
  const inputs: WorkflowInputs = {
    deploy_id: request.deployId,
    reason: request.reason,
    change_count: String(request.changeCount),
    changes: '[]',
  };
  const budget = MAX_INPUTS_CHARS - JSON.stringify(inputs).length;
  // An entry's cost inside the string inside the JSON body, plus the comma before it.
  const kept = newestWithin(
    newestFirst(request.changes),
    budget,
    (change, index) => JSON.stringify(JSON.stringify(change)).length - 2 + (index > 0 ? 1 : 0),
  );
  inputs.changes = JSON.stringify(kept);
  return inputs;
}

/** The body of `POST /repos/{owner}/{repo}/dispatches`: sent, or printed as a dry run. */
export function repositoryDispatchBody(
  eventType: string,
  request: DispatchRequest,
): { event_type: string; client_payload: ClientPayload } {
  return { event_type: eventType, client_payload: buildClientPayload(request) };
}

/**
 * The body of `POST /repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches`: sent, or printed as a dry run.
 * With `runDetails` GitHub answers with the run it started.
 */
export function workflowDispatchBody(
  ref: string,
  inputs: WorkflowInputs,
  runDetails: boolean,
): { ref: string; inputs: WorkflowInputs; return_run_details?: true } {
  return { ref, inputs, ...(runDetails ? { return_run_details: true as const } : {}) };
}
