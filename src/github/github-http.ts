/** The headers GitHub documents for REST calls; Octokit's default Accept is the older v3 type. */
export const GITHUB_MEDIA_TYPE = 'application/vnd.github+json';
export const GITHUB_API_VERSION = '2022-11-28';

export const GITHUB_REQUEST_HEADERS = {
  accept: GITHUB_MEDIA_TYPE,
  'x-github-api-version': GITHUB_API_VERSION,
} as const;
