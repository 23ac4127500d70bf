import request from 'supertest';
import { RunningApp, TestStack, startApp } from './support/stack';

const USER = 'ops';
const PASSWORD = 'dash-pw-9c2f';
const API_TOKEN = 'api-token-for-dashboard-test';
const UI = '/admin/queues';
const API = '/admin/queues/api/queues';

/** The first script the dashboard page loads from its own static files (relative to `<base href>`). */
function staticAsset(html: string): string {
  const match = /<script[^>]*src="(?:\/admin\/queues\/)?(static\/[^"]+\.js)"/.exec(html);
  if (!match) throw new Error(`no static script linked from the dashboard page:\n${html.slice(0, 800)}`);
  return `${UI}/${match[1]}`;
}

describe('dashboard (Bull Board) at /admin/queues', () => {
  let stack: TestStack;
  const apps: RunningApp[] = [];
  const start = async (env: Record<string, string | undefined>): Promise<RunningApp> => {
    const app = await startApp(stack.config(env));
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    stack = await TestStack.start();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await stack?.stop();
  });

  describe('with DASHBOARD_USERNAME and DASHBOARD_PASSWORD', () => {
    let url: string;

    beforeAll(async () => {
      ({ url } = await start({ DASHBOARD_USERNAME: USER, DASHBOARD_PASSWORD: PASSWORD, API_TOKENS: API_TOKEN }));
    });

    it('asks for Basic credentials on the UI, its API and its static files', async () => {
      const page = await request(url).get(UI).auth(USER, PASSWORD).expect(200);
      const asset = staticAsset(page.text);
      for (const path of [UI, `${UI}/`, API, asset]) {
        const response = await request(url).get(path).expect(401);
        expect(response.headers['www-authenticate']).toMatch(/^Basic realm="[^"]+"/);
      }
      await request(url).get(asset).auth(USER, PASSWORD).expect(200);
    });

    it('refuses a wrong password, a wrong user, and the API bearer token', async () => {
      await request(url).get(API).auth(USER, `${PASSWORD}x`).expect(401);
      await request(url).get(API).auth('admin', PASSWORD).expect(401);
      await request(url).get(API).auth(USER, '').expect(401);
      await request(url).get(API).set('Authorization', `Bearer ${API_TOKEN}`).expect(401);
    });

    it('serves the page and lists the deploy queue with the right credentials, needing no bearer token', async () => {
      const page = await request(url).get(UI).auth(USER, PASSWORD).expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const api = await request(url).get(API).auth(USER, PASSWORD).expect(200);
      expect(api.body.queues.map((q: { name: string }) => q.name)).toContain('deploy');
    });

    it('keeps the API behind its bearer token (the dashboard credentials do not open it)', async () => {
      await request(url).get('/deploys').auth(USER, PASSWORD).expect(401);
      await request(url).get('/deploys').set('Authorization', `Bearer ${API_TOKEN}`).expect(200);
    });

    it('never shows the dashboard password or API token in what it serves', async () => {
      const api = await request(url).get(API).auth(USER, PASSWORD).expect(200);
      expect(api.text).not.toContain(PASSWORD);
      expect(api.text).not.toContain(API_TOKEN);
    });
  });

  it.each(['api', 'all'])('is served in role %s', async (role) => {
    const { url } = await start({ APP_ROLE: role, DASHBOARD_USERNAME: USER, DASHBOARD_PASSWORD: PASSWORD });
    await request(url).get(API).expect(401);
    const api = await request(url).get(API).auth(USER, PASSWORD).expect(200);
    expect(api.body.queues.map((q: { name: string }) => q.name)).toContain('deploy');
  });

  it('is not served by a worker, which answers only the health probes', async () => {
    const { url } = await start({ APP_ROLE: 'worker', DASHBOARD_USERNAME: USER, DASHBOARD_PASSWORD: PASSWORD });
    await request(url).get(API).auth(USER, PASSWORD).expect(404);
    await request(url).get('/health').expect(200);
  });

  it('is off (404) in production without credentials', async () => {
    const { url } = await start({
      NODE_ENV: 'production',
      APP_ROLE: 'api',
      API_TOKENS: API_TOKEN,
      GITHUB_TOKEN: 'ghp_not-used-by-this-test',
      GITHUB_REPOSITORY: 'acme/blog',
      // Nothing listens there: the start-up access check fails and is only logged.
      GITHUB_API_URL: 'http://127.0.0.1:9',
    });
    for (const path of [UI, API]) {
      await request(url).get(path).expect(404);
      await request(url).get(path).auth('admin', 'admin').expect(404);
    }
    await request(url).get('/health').expect(200);
  });

  it('is open without credentials outside production (npm run dev)', async () => {
    const { url } = await start({});
    await request(url).get(UI).expect(200);
    const api = await request(url).get(API).expect(200);
    expect(api.body.queues.map((q: { name: string }) => q.name)).toContain('deploy');
  });
});
