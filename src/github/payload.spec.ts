import fc from 'fast-check';
import type { ContentChange } from '../content/content-change';
import { DispatchRequest } from './github.types';
import { buildClientPayload, buildWorkflowInputs, jsonBytes, MAX_PAYLOAD_CHANGES } from './payload';

const GITHUB_PAYLOAD_LIMIT = 64 * 1024;
const KEYS = [
  'deployId',
  'reason',
  'changeCount',
  'editCount',
  'changes',
  'firstChangeAt',
  'lastChangeAt',
  'truncated',
];

function change(i: number, id = `post-${i}`): ContentChange {
  return {
    kind: i % 2 === 0 ? 'post' : 'author',
    id,
    action: 'updated',
    at: new Date(Date.UTC(2026, 0, 1) + i * 1_000).toISOString(),
  };
}

function request(changes: DispatchRequest['changes'], extra: Partial<DispatchRequest> = {}): DispatchRequest {
  return {
    deployId: 'd-1',
    reason: 'changes',
    changeCount: changes.length,
    editCount: changes.length * 2,
    changes,
    firstChangeAt: changes.length ? changes[changes.length - 1].at : null,
    lastChangeAt: changes.length ? changes[0].at : null,
    ...extra,
  };
}

describe('buildClientPayload', () => {
  it('has exactly the documented keys, in order, and copies the counts', () => {
    const changes = [change(2), change(1)];
    const payload = buildClientPayload(request(changes));
    expect(Object.keys(payload)).toEqual(KEYS);
    expect(payload).toEqual({
      deployId: 'd-1',
      reason: 'changes',
      changeCount: 2,
      editCount: 4,
      changes,
      firstChangeAt: changes[1].at,
      lastChangeAt: changes[0].at,
      truncated: false,
    });
  });

  it('keeps the newest 50 of 51, newest first, and says it truncated', () => {
    const changes = Array.from({ length: 51 }, (_, i) => change(i)); // oldest first on purpose
    const payload = buildClientPayload(request(changes));
    expect(payload.changes).toHaveLength(MAX_PAYLOAD_CHANGES);
    expect(payload.changes[0].id).toBe('post-50');
    expect(payload.changes.map((c) => c.id)).not.toContain('post-0');
    expect(payload.truncated).toBe(true);
    expect(payload.changeCount).toBe(51);
  });

  it('drops fields that are not part of a change', () => {
    const payload = buildClientPayload(request([{ ...change(1), secret: 'x' } as DispatchRequest['changes'][number]]));
    expect(payload.changes[0]).toEqual(change(1));
  });

  it('stays under 64 KB with very long ids by leaving out the oldest changes', () => {
    const changes = Array.from({ length: 50 }, (_, i) => change(50 - i, `${'x'.repeat(5_000)}-${50 - i}`));
    const payload = buildClientPayload(request(changes));
    expect(jsonBytes(payload)).toBeLessThan(GITHUB_PAYLOAD_LIMIT);
    expect(payload.truncated).toBe(true);
    expect(payload.changes.length).toBeGreaterThan(0);
    expect(payload.changes[0].id).toBe(changes[0].id);
  });

  it('sends no change at all when even one would not fit', () => {
    const payload = buildClientPayload(request([change(1, 'y'.repeat(70_000))]));
    expect(payload.changes).toEqual([]);
    expect(payload.truncated).toBe(true);
    expect(jsonBytes(payload)).toBeLessThan(GITHUB_PAYLOAD_LIMIT);
  });

  it('for any changes: at most 10 keys, at most 50 newest changes, truncated iff cut, under 64 KB', () => {
    const anyChange = fc.record({
      kind: fc.constantFrom('author', 'post'),
      id: fc.oneof(fc.string({ minLength: 1, maxLength: 64 }), fc.string({ unit: 'grapheme', maxLength: 3_000 })),
      action: fc.constantFrom('created', 'updated', 'deleted'),
      at: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
    });
    fc.assert(
      fc.property(fc.array(anyChange, { maxLength: 300 }), fc.string({ maxLength: 200 }), (changes, deployId) => {
        const payload = buildClientPayload(request(changes, { deployId }));
        expect(Object.keys(payload).length).toBeLessThanOrEqual(10);
        expect(payload.changes.length).toBeLessThanOrEqual(MAX_PAYLOAD_CHANGES);
        expect(payload.truncated).toBe(payload.changes.length < changes.length);
        expect(jsonBytes(payload)).toBeLessThan(GITHUB_PAYLOAD_LIMIT);
        // What is kept is the newest, newest first: every change newer than the oldest kept one was kept.
        expect(payload.changes.every((c, i, all) => i === 0 || all[i - 1].at >= c.at)).toBe(true);
        const oldestKept = payload.changes.at(-1)?.at;
        if (oldestKept) expect(changes.filter((c) => c.at > oldestKept).length).toBeLessThan(payload.changes.length);
      }),
      { numRuns: 200 },
    );
  });
});

/** GitHub's limit on workflow_dispatch inputs, in characters. */
const GITHUB_INPUTS_LIMIT = 65_535;

describe('buildWorkflowInputs', () => {
  it('has the four inputs, every value a string, changes as JSON text newest first', () => {
    const changes = [change(1), change(2)];
    const inputs = buildWorkflowInputs(request(changes, { changeCount: 7 }));
    expect(inputs).toEqual({
      deploy_id: 'd-1',
      reason: 'changes',
      change_count: '7',
      changes: JSON.stringify([change(2), change(1)]),
    });
    expect(Object.values(inputs).every((v) => typeof v === 'string')).toBe(true);
  });

  it('keeps the same changes as the repository_dispatch payload when they fit', () => {
    const changes = Array.from({ length: 60 }, (_, i) => change(i));
    expect(JSON.parse(buildWorkflowInputs(request(changes)).changes)).toEqual(
      buildClientPayload(request(changes)).changes,
    );
  });

  it("for any changes: at most 50 newest, under GitHub's input limit counted as sent", () => {
    const anyChange = fc.record({
      kind: fc.constantFrom('author', 'post'),
      id: fc.oneof(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.string({ unit: 'grapheme', maxLength: 3_000 }),
        fc.constant('"\\'.repeat(500)),
      ),
      action: fc.constantFrom('created', 'updated', 'deleted'),
      at: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
    });
    fc.assert(
      fc.property(fc.array(anyChange, { maxLength: 120 }), (changes) => {
        const inputs = buildWorkflowInputs(request(changes));
        const kept = JSON.parse(inputs.changes) as unknown[];
        expect(kept.length).toBeLessThanOrEqual(MAX_PAYLOAD_CHANGES);
        expect(JSON.stringify(inputs).length).toBeLessThan(GITHUB_INPUTS_LIMIT);
        // The newest first (a stable sort: ties keep their order), as many as fit.
        const newest = changes
          .map(({ kind, id, action, at }) => ({ kind, id, action, at }))
          .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
        expect(kept).toEqual(newest.slice(0, kept.length));
      }),
      { numRuns: 150 },
    );
  });
});
