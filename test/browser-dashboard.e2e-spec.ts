import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import request from 'supertest';
import type { Deploy } from '../src/deploy/deploy.types';
import { boardJobs } from './support/board';
import { RunningApp, TestStack, startApp } from './support/stack';
import { waitFor } from './support/wait-for';

const USER = 'ops';
const PASSWORD = 'browser-test-pw-41d7';
const API_TOKEN = 'browser-test-api-token';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const SCREENSHOT = join(ARTIFACTS, 'dashboard-completed-deploy.png');

/**
 * A person's view of the dashboard: Debian's chromium, headless, signs in with Basic auth, opens the
 * deploy queue and finds the deploy that the content edits produced, with its changes.
 */
describe('dashboard in a real browser', () => {
  let stack: TestStack;
  let running: RunningApp;
  let browser: Browser;
  let deploy: Deploy;

  const api = () => request(running.url);
  const bearer = { Authorization: `Bearer ${API_TOKEN}` };

  beforeAll(async () => {
    stack = await TestStack.start();
    // A quiet window long enough to coalesce the two edits below into one deploy; dry run (no GitHub).
    running = await startApp(
      stack.config({
        DASHBOARD_USERNAME: USER,
        DASHBOARD_PASSWORD: PASSWORD,
        API_TOKENS: API_TOKEN,
        DEPLOY_DEBOUNCE_MS: '1000',
        DEPLOY_MAX_WAIT_MS: '5000',
      }),
    );

    await api().post('/authors').set(bearer).send({ id: 'grace-hopper', name: 'Grace Hopper' }).expect(201);
    await api()
      .post('/posts')
      .set(bearer)
      .send({
        id: 'hello-cobol',
        title: 'Hello, COBOL',
        body: '# Hello',
        authorIds: ['grace-hopper'],
        status: 'published',
      })
      .expect(201);
    deploy = await waitFor('the dry-run deploy of both edits', async () => {
      const { body } = await api().get('/deploys').set(bearer).expect(200);
      return (body.items as Deploy[]).find((d) => d.status === 'dry-run' && d.changeCount === 2);
    });
    // The page opens once the dashboard's own API lists the job as completed: a link that then does not show is the
    // page's doing, not a job still running.
    await waitFor(`deploy ${deploy.id}'s job among the dashboard's completed jobs`, async () => {
      const jobs = await boardJobs(running.url, 'deploy', 'completed', [USER, PASSWORD]);
      if (jobs.some((job) => job.data.deployId === deploy.id)) return true;
      throw new Error(`the dashboard lists: ${JSON.stringify(jobs.map((job) => job.id))}`);
    });

    // A fresh temporary profile per launch (Playwright's default), removed on close.
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await stack?.stop();
  });

  /** A page that only talks to the service under test (the dashboard links web fonts; CI is offline). */
  async function openPage(credentials?: { username: string; password: string }): Promise<Page> {
    const context = await browser.newContext({ httpCredentials: credentials, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    return page;
  }

  it('is refused without credentials and with a wrong password', async () => {
    // Headless chromium cannot prompt: a Basic challenge it has nothing to answer with ends the navigation.
    const anonymous = await openPage();
    await expect(anonymous.goto(`${running.url}/admin/queues`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await anonymous.context().close();

    const wrong = await openPage({ username: USER, password: `${PASSWORD}-wrong` });
    const response = await wrong.goto(`${running.url}/admin/queues`);
    expect(response?.status()).toBe(401);
    expect(await wrong.content()).not.toContain('Blog deploys');
    await wrong.context().close();
  });

  it('shows the completed deploy job with its changes after signing in', async () => {
    const page = await openPage({ username: USER, password: PASSWORD });
    const home = await page.goto(`${running.url}/admin/queues`, { waitUntil: 'domcontentloaded' });
    expect(home?.status()).toBe(200);
    await page.getByRole('link', { name: 'deploy', exact: true }).waitFor({ state: 'visible', timeout: 30_000 });

    // The queue's "Completed" tab by its address (what the tab link points at): clicking through the sidebar and
    // the tab raced the dashboard's first render when two test files shared the cores.
    const completed = await page.goto(`${running.url}/admin/queues/queue/deploy?status=completed`);
    expect(completed?.status()).toBe(200);
    const jobLink = page.getByRole('link', { name: new RegExp(`^${deploy.id}`) });
    // As a person would, reload a page that has not shown the job by then (it polls every 5 s; once on a loaded CI
    // machine it showed nothing for 30 s). What it showed goes into the failure.
    await jobLink
      .waitFor({ state: 'visible', timeout: 15_000 })
      .catch(() => page.reload().then(() => jobLink.waitFor({ state: 'visible', timeout: 30_000 })))
      .catch(async (error: Error) => {
        throw new Error(`${error.message}\nthe page showed:\n${(await page.innerText('body')).slice(0, 2000)}`);
      });

    const card = page.locator('div', { has: jobLink }).filter({ hasText: 'changes' }).last();
    const text = await card.innerText();
    for (const change of deploy.changes) {
      expect(text).toContain(change.id);
      expect(text).toContain(change.action);
    }
    expect(text).toContain('dry-run');
    expect(await page.content()).not.toContain(PASSWORD);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.context().close();
  });
});
