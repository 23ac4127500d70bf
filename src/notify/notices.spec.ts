import { failureNotice, recoveryNotice } from './notices';

const deploy = {
  id: 'd1',
  status: 'build-failed',
  lastError: 'The site build failed: see https://github.com/acme/blog/actions/runs/7.',
  changes: [
    { kind: 'post', id: 'hello' },
    { kind: 'author', id: 'ada' },
    { kind: 'post', id: 'b' },
    { kind: 'post', id: 'c' },
  ],
  run: { url: 'https://github.com/acme/blog/actions/runs/7' },
};

describe('notices', () => {
  it('a failure names the deploy, what it carried and why, in one readable sentence', () => {
    const notice = failureNotice(deploy);
    expect(notice).toEqual({
      text: expect.any(String),
      deployId: 'd1',
      status: 'build-failed',
      lastError: deploy.lastError,
      runUrl: deploy.run.url,
    });
    expect(notice.text).toBe(
      `The site build for deploy d1 (post hello, author ada, post b and 1 more) failed. ${deploy.lastError}`,
    );
    expect(failureNotice({ ...deploy, status: 'failed', run: null, changes: [] }).text).toMatch(/^Deploy d1 failed\. /);
  });

  it('a recovery says the site is live again, with no error', () => {
    expect(recoveryNotice({ ...deploy, status: 'live', lastError: null, changes: [] })).toEqual({
      text: 'Deploys work again: deploy d1 is live (https://github.com/acme/blog/actions/runs/7).',
      deployId: 'd1',
      status: 'live',
      lastError: null,
      runUrl: deploy.run.url,
    });
  });
});
