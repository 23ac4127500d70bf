/** What is POSTed to NOTIFY_WEBHOOK_URL. `text` alone reads well in a Slack or Teams channel. */
export interface Notice {
  text: string;
  deployId: string;
  status: string;
  lastError: string | null;
  runUrl: string | null;
}

/** The deploy fields a notice is written from. */
export interface NoticeSubject {
  id: string;
  status: string;
  lastError: string | null;
  changes: { kind: string; id: string }[];
  run: { url: string } | null;
}

/** Statuses that mean "this deploy did not make it to the site". */
export const FAILURE_STATUSES: readonly string[] = ['failed', 'build-failed'];

const SHOWN_CHANGES = 3;

function carrying(changes: NoticeSubject['changes']): string {
  if (changes.length === 0) return '';
  const named = changes.slice(0, SHOWN_CHANGES).map((c) => `${c.kind} ${c.id}`);
  const more = changes.length > SHOWN_CHANGES ? ` and ${changes.length - SHOWN_CHANGES} more` : '';
  return ` (${named.join(', ')}${more})`;
}

export function failureNotice(deploy: NoticeSubject): Notice {
  const what = deploy.status === 'build-failed' ? 'The site build for deploy' : 'Deploy';
  const why = deploy.lastError ? ` ${deploy.lastError}` : '';
  return {
    text: `${what} ${deploy.id}${carrying(deploy.changes)} failed.${why}`,
    deployId: deploy.id,
    status: deploy.status,
    lastError: deploy.lastError,
    runUrl: deploy.run?.url ?? null,
  };
}

export function recoveryNotice(deploy: NoticeSubject): Notice {
  const where = deploy.run ? ` (${deploy.run.url})` : '';
  const reached = deploy.status === 'live' ? 'is live' : 'was dispatched';
  return {
    text: `Deploys work again: deploy ${deploy.id}${carrying(deploy.changes)} ${reached}${where}.`,
    deployId: deploy.id,
    status: deploy.status,
    lastError: null,
    runUrl: deploy.run?.url ?? null,
  };
}
