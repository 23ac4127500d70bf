import type { IncomingHttpHeaders } from 'node:http';
import type { FakeGithub } from './fake-github';
import { appEndpoints } from './fake-github-app';
import { workflowEndpoints } from './fake-github-workflows';

/** One scripted answer. `body` is sent as JSON (GitHub's errors look like `{ message, documentation_url }`). */
export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Answer this much later (overrides FakeGithub.delayMs). */
  delayMs?: number;
}

export interface RecordedRequest {
  /** The name of the endpoint it matched (`dispatch`, `repo`, ...), or `unknown`. */
  route: string;
  method: string;
  /** Path with query, e.g. `/repos/acme/blog/dispatches`. */
  path: string;
  /** Node lower-cases header names: `authorization`, `accept`, `x-github-api-version`. */
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when it is not JSON (undefined when empty). */
  body: unknown;
  /** Date.now() when the request arrived / when its connection finished or was dropped. */
  startedAt: number;
  endedAt?: number;
  /** Status we answered with; undefined if the client went away first (e.g. its timeout). */
  status?: number;
}

/**
 * One GitHub endpoint the fake serves. Tests address it by `route` in `respond()` and `hold()`.
 * `answer` gives the final response: from the scripted one when a test queued one (it may decorate it, e.g.
 * add fields GitHub always sends), else the default.
 */
export interface FakeEndpoint {
  route: string;
  method: string;
  /** Matched against the path without its query string. */
  path: RegExp;
  /** A deploy trigger: listed by `dispatches()` and counted in the concurrency counters. */
  dispatch?: boolean;
  answer(request: RecordedRequest, scripted: FakeResponse | undefined): FakeResponse;
}

/**
 * A group of endpoints of one GitHub feature, built against the fake that serves them (for shared state such
 * as `permissions`). Features add a file exporting a group and list it in `DEFAULT_ENDPOINT_GROUPS` (served by
 * every fake), or attach it to one fake with `fake.serve(group)`.
 */
export type EndpointGroup = (fake: FakeGithub) => FakeEndpoint[];

export const NOT_FOUND: FakeResponse = {
  status: 404,
  body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
};

/** `GET /repos/:owner/:repo` (the access check, and the default branch) and `POST /repos/:owner/:repo/dispatches` (repository_dispatch). */
export const repositoryEndpoints: EndpointGroup = (fake) => [
  {
    route: 'repo',
    method: 'GET',
    path: /^\/repos\/[^/]+\/[^/]+$/,
    answer: (request, scripted) => {
      const response = scripted ?? { status: 200 };
      if (response.status !== 200) return response;
      // A scripted body may set its own `permissions` (or leave them out by giving `permissions: undefined`).
      const fullName = request.path.split('?')[0].replace(/^\/repos\//, '');
      return {
        ...response,
        body: {
          full_name: fullName,
          default_branch: 'main',
          permissions: fake.permissions,
          ...(response.body as object | undefined),
        },
      };
    },
  },
  {
    route: 'dispatch',
    method: 'POST',
    path: /^\/repos\/[^/]+\/[^/]+\/dispatches$/,
    dispatch: true,
    answer: (_request, scripted) => scripted ?? { status: 204 },
  },
];

/** Served by every FakeGithub. */
export const DEFAULT_ENDPOINT_GROUPS: EndpointGroup[] = [repositoryEndpoints, appEndpoints, workflowEndpoints];
