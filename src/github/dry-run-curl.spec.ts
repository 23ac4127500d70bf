import { execFileSync } from 'node:child_process';
import { dispatchAsCurl, dryRunDispatch } from './dry-run-curl';
import type { DispatchRequest } from './github.types';
import { buildClientPayload, buildWorkflowInputs } from './payload';

/** Lets a real POSIX shell parse the command (with `curl` swapped for printf) and returns the words it got. */
function shellWords(command: string, env: Record<string, string>): string[] {
  const asPrintf = command.replace(/^curl /, `printf '%s\\0' `);
  const out = execFileSync('sh', ['-c', asPrintf], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('dispatchAsCurl', () => {
  const body = {
    event_type: 'webhook',
    client_payload: { deployId: 'd-1', note: `it's "quoted" $HOME \`id\` \\ 한글 🎉` },
  };

  it('is one line that a shell parses back into the exact request, token taken from $GITHUB_TOKEN', () => {
    const command = dispatchAsCurl({ apiUrl: 'https://api.github.com', repository: 'acme/blog', body });
    expect(command).not.toContain('\n');
    const words = shellWords(command, { GITHUB_TOKEN: 'tok-from-shell' });
    expect(words).toEqual([
      '-sS',
      '-X',
      'POST',
      'https://api.github.com/repos/acme/blog/dispatches',
      '-H',
      'Accept: application/vnd.github+json',
      '-H',
      'Authorization: Bearer tok-from-shell',
      '-H',
      'X-GitHub-Api-Version: 2022-11-28',
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify(body),
    ]);
    expect(JSON.parse(words.at(-1)!)).toEqual(body);
  });

  it('uses $GITHUB_REPOSITORY when no repository is configured', () => {
    const command = dispatchAsCurl({ apiUrl: 'http://127.0.0.1:9/api/v3', body });
    const words = shellWords(command, { GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'me/site' });
    expect(words[3]).toBe('http://127.0.0.1:9/api/v3/repos/me/site/dispatches');
  });

  it('addresses the workflow endpoint for a workflow_dispatch, also via $GITHUB_REPOSITORY', () => {
    const endpoint = 'actions/workflows/deploy.yml/dispatches';
    const named = shellWords(
      dispatchAsCurl({ apiUrl: 'https://api.github.com', repository: 'acme/blog', endpoint, body }),
      { GITHUB_TOKEN: 't' },
    );
    expect(named[3]).toBe('https://api.github.com/repos/acme/blog/actions/workflows/deploy.yml/dispatches');
    const fromShell = shellWords(dispatchAsCurl({ apiUrl: 'https://api.github.com', endpoint, body }), {
      GITHUB_TOKEN: 't',
      GITHUB_REPOSITORY: 'me/site',
    });
    expect(fromShell[3]).toBe('https://api.github.com/repos/me/site/actions/workflows/deploy.yml/dispatches');
  });
});

describe('dryRunDispatch', () => {
  const request: DispatchRequest = {
    deployId: 'd-7',
    reason: 'content changed',
    changeCount: 1,
    editCount: 2,
    changes: [{ kind: 'post', id: 'hello', action: 'updated', at: '2026-12-02T00:00:00.000Z' }],
    firstChangeAt: '2026-12-02T00:00:00.000Z',
    lastChangeAt: '2026-12-02T00:00:00.000Z',
  };
  const target = { apiUrl: 'https://api.github.com', repository: 'acme/blog' };
  const sent = (command: string): { url: string; body: unknown } => {
    const words = shellWords(command, { GITHUB_TOKEN: 't' });
    return { url: words[3], body: JSON.parse(words.at(-1)!) };
  };

  it('is the repository_dispatch the configured event type would send', () => {
    const command = dryRunDispatch({ trigger: { kind: 'repository_dispatch' }, eventType: 'webhook' }, target, request);
    expect(sent(command)).toEqual({
      url: 'https://api.github.com/repos/acme/blog/dispatches',
      body: { event_type: 'webhook', client_payload: buildClientPayload(request) },
    });
  });

  it('is the workflow_dispatch of the configured workflow, on the configured ref or else main', () => {
    const trigger = { kind: 'workflow_dispatch', workflow: 'deploy.yml' } as const;
    const onMain = sent(dryRunDispatch({ trigger, eventType: 'webhook' }, target, request));
    expect(onMain).toEqual({
      url: 'https://api.github.com/repos/acme/blog/actions/workflows/deploy.yml/dispatches',
      body: { ref: 'main', inputs: buildWorkflowInputs(request), return_run_details: true },
    });
    const onRelease = sent(
      dryRunDispatch({ trigger: { ...trigger, ref: 'release' }, eventType: 'x' }, target, request),
    );
    expect(onRelease.body).toMatchObject({ ref: 'release' });
  });
});
