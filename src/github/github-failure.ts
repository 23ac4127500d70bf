/** GitHub's answers as classification reads them, whatever threw them (Octokit's RequestError or another HTTP failure). */
const MAX_GITHUB_MESSAGE = 500;

/** The parts of an Octokit RequestError (or any HTTP failure) that classification reads. */
export interface HttpFailure {
  status: number;
  headers: Record<string, string | undefined>;
  data: unknown;
}

export function httpFailure(error: unknown): HttpFailure | undefined {
  if (typeof error !== 'object' || error === null || !('response' in error)) return undefined;
  const response = (error as { response?: { status?: unknown; headers?: unknown; data?: unknown } }).response;
  if (!response || typeof response.status !== 'number') return undefined;
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries((response.headers ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number') headers[name.toLowerCase()] = String(value);
  }
  return { status: response.status, headers, data: response.data };
}

/** GitHub's own words: `{ message, errors?, documentation_url? }`, or a plain body. */
export function githubMessage(data: unknown): string {
  let text: string;
  if (typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string') {
    const body = data as { message: string; errors?: unknown; documentation_url?: unknown };
    text = body.message;
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      text += ` (${body.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; ')})`;
    }
    if (typeof body.documentation_url === 'string') text += ` (see ${body.documentation_url})`;
  } else if (typeof data === 'string' && data.trim() !== '') {
    text = data.trim();
  } else {
    return 'no message';
  }
  text = text.replace(/\s+/g, ' ').trim(); // GitHub's validation messages carry line breaks; a log line must not
  return text.length > MAX_GITHUB_MESSAGE ? `${text.slice(0, MAX_GITHUB_MESSAGE)}…` : text;
}
