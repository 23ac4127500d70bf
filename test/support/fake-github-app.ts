import { generateKeyPairSync, KeyObject, randomBytes, verify } from 'node:crypto';
import { IncomingHttpHeaders } from 'node:http';
// Types only: fake-github-endpoints.ts lists this file's group, so a value import would be circular.
import type { EndpointGroup, FakeResponse, RecordedRequest } from './fake-github-endpoints';

export interface JwtClaims {
  iss: string;
  iat: number;
  exp: number;
}

interface IssuedToken {
  expiresAtMs: number;
  revoked: boolean;
}

const NOT_FOUND: FakeResponse = {
  status: 404,
  body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
};
const BAD_CREDENTIALS: FakeResponse = {
  status: 401,
  body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' },
};

let testAppKeys: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

function base64url(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}

/**
 * The GitHub App side of the fake GitHub: an App with an RSA key made here, installed on some repositories.
 * It checks App JWTs as GitHub does (RS256 with the App's public key, `iss` = the App id, not expired, at most
 * 10 minutes long), answers the installation lookup and mints installation tokens that expire and can be revoked.
 * Requests to repository endpoints must then carry a live installation token of an installation that includes the
 * repository.
 */
export class FakeGithubApp {
  readonly appId = 31337;
  /** PKCS#1 PEM, the form GitHub's "Generate a private key" downloads. */
  readonly privateKeyPem: string;
  readonly publicKey: KeyObject;
  installationId = 4242;
  /** owner/repo the installation includes. */
  repositories = new Set(['acme/blog']);
  permissions: Record<string, string> = { metadata: 'read', contents: 'write', actions: 'write' };
  tokenLifetimeMs = 3_600_000;
  /** Claims of every JWT that passed, in order. */
  readonly jwts: JwtClaims[] = [];
  /** Installation tokens minted, in order. */
  readonly minted: string[] = [];
  private readonly issued = new Map<string, IssuedToken>();

  constructor() {
    // One key pair per test process: making an RSA key takes a moment, and each App only needs its own state.
    testAppKeys ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKeyPem = testAppKeys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    this.publicKey = testAppKeys.publicKey;
  }

  /** The environment that makes the service authenticate as this App. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      GITHUB_APP_ID: String(this.appId),
      GITHUB_APP_PRIVATE_KEY: this.privateKeyPem.replace(/\n/g, '\\n'),
      ...extra,
    };
  }

  revoke(token: string): void {
    const issued = this.issued.get(token);
    if (issued) issued.revoked = true;
  }

  /** When `token` stops being accepted (ms since the epoch). */
  expiryOf(token: string): number | undefined {
    return this.issued.get(token)?.expiresAtMs;
  }

  /** The token most recently minted. */
  latestToken(): string | undefined {
    return this.minted.at(-1);
  }

  /** GET /repos/{owner}/{repo}/installation */
  installationFor(headers: IncomingHttpHeaders, repository: string): FakeResponse {
    if (!this.checkJwt(headers)) return BAD_CREDENTIALS;
    if (!this.repositories.has(repository)) return NOT_FOUND;
    return { status: 200, body: this.installation() };
  }

  /** POST /app/installations/{id}/access_tokens */
  mint(headers: IncomingHttpHeaders, installationId: number): FakeResponse {
    if (!this.checkJwt(headers)) return BAD_CREDENTIALS;
    if (installationId !== this.installationId) return NOT_FOUND;
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    const expiresAtMs = Date.now() + this.tokenLifetimeMs;
    this.issued.set(token, { expiresAtMs, revoked: false });
    this.minted.push(token);
    const expires_at = new Date(expiresAtMs).toISOString();
    return {
      status: 201,
      body: { token, expires_at, permissions: this.permissions, repository_selection: 'selected' },
    };
  }

  /**
   * A refusal for a request to any other endpoint, or undefined when it carries a live installation token of an
   * installation that includes its repository. The App's own endpoints check their JWT themselves.
   */
  refuse(request: RecordedRequest): FakeResponse | undefined {
    if (APP_ROUTES.includes(request.route)) return undefined;
    const repository = request.path.split('?')[0].split('/').slice(2, 4).join('/');
    const token = /^(?:bearer|token) (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const issued = token === undefined ? undefined : this.issued.get(token);
    if (!issued || issued.revoked || Date.now() >= issued.expiresAtMs) return BAD_CREDENTIALS;
    return this.repositories.has(repository) ? undefined : NOT_FOUND;
  }

  private installation() {
    return {
      id: this.installationId,
      app_id: this.appId,
      repository_selection: 'selected',
      permissions: this.permissions,
    };
  }

  /** GitHub's checks of an App JWT; true when it passes. */
  private checkJwt(headers: IncomingHttpHeaders): boolean {
    const jwt = /^bearer (\S+)$/i.exec(headers.authorization ?? '')?.[1];
    const parts = jwt?.split('.');
    if (!parts || parts.length !== 3) return false;
    const [header, payload, signature] = parts;
    try {
      if ((JSON.parse(base64url(header).toString('utf8')) as { alg?: unknown }).alg !== 'RS256') return false;
      if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), this.publicKey, base64url(signature)))
        return false;
      const claims = JSON.parse(base64url(payload).toString('utf8')) as JwtClaims;
      const now = Math.floor(Date.now() / 1_000);
      const valid =
        String(claims.iss) === String(this.appId) &&
        claims.exp > now &&
        claims.iat <= now + 60 &&
        claims.exp - claims.iat <= 600;
      if (valid) this.jwts.push(claims);
      return valid;
    } catch {
      return false;
    }
  }
}

const APP_ROUTES = ['installation', 'access-tokens'];

/**
 * `GET /repos/:owner/:repo/installation` and `POST /app/installations/:id/access_tokens`, answered by the App
 * attached to the fake (`fake.app = new FakeGithubApp()`); 404 without one, as for an App that does not exist.
 */
export const appEndpoints: EndpointGroup = (fake) => [
  {
    route: 'installation',
    method: 'GET',
    path: /^\/repos\/[^/]+\/[^/]+\/installation$/,
    answer: (request, scripted) =>
      scripted ??
      fake.app?.installationFor(request.headers, request.path.split('/').slice(2, 4).join('/')) ??
      NOT_FOUND,
  },
  {
    route: 'access-tokens',
    method: 'POST',
    path: /^\/app\/installations\/\d+\/access_tokens$/,
    answer: (request, scripted) =>
      scripted ?? fake.app?.mint(request.headers, Number(request.path.split('/')[3])) ?? NOT_FOUND,
  },
];
