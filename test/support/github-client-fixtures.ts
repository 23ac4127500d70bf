import { DispatchRequest, GithubDispatchError } from '../../src/github/github.types';

/** A dispatch of two changes, newest first, for tests of GithubClient. */
export const SAMPLE_DISPATCH: DispatchRequest = {
  deployId: 'dep-1',
  reason: 'changes',
  changeCount: 2,
  editCount: 5,
  changes: [
    { kind: 'post', id: 'hello', action: 'updated', at: '2026-11-28T10:00:02.000Z' },
    { kind: 'author', id: 'ada', action: 'created', at: '2026-11-28T10:00:01.000Z' },
  ],
  firstChangeAt: '2026-11-28T10:00:01.000Z',
  lastChangeAt: '2026-11-28T10:00:02.000Z',
};

/** The GithubDispatchError `promise` rejects with (failing the test if it resolves or throws something else). */
export async function dispatchFailure(promise: Promise<unknown>): Promise<GithubDispatchError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(GithubDispatchError);
  return error as GithubDispatchError;
}
