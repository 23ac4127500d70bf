import request from 'supertest';
import type { Post } from '../src/posts/post';
import { answeredDispatches, bodyOf, githubEnv, startDeployingApp } from './support/deploy-harness';
import { FakeGithub, RecordedRequest } from './support/fake-github';
import { boardJobs } from './support/board';
import { DirectS3 } from './support/direct-s3';
import { FIRST_ON_SITE, LatenessLog, inMsWithOffset, latenessMs, publishedPost, readPost } from './support/scheduling';
import { RunningApp, TestStack, startApp } from './support/stack';
import { waitFor } from './support/wait-for';

const DEBOUNCE_MS = 200;
const MARKER = 'deploys/last-dispatched.json';

/**
 * Scheduled publishing through one instance (APP_ROLE=all) on a real Redis and S3-protocol server, with the
 * fake GitHub: the rule for publishAt, publication at its time with one dispatch, and every way a schedule
 * can change before its time (rescheduled, unscheduled, deleted, edited in the bucket behind the service's back).
 */
describe('scheduled publishing', () => {
  let stack: TestStack;
  let github: FakeGithub;
  let running: RunningApp;
  let s3: DirectS3;
  const lateness = new LatenessLog();
  const dispatchDelays = new LatenessLog('dispatch delay');
  const api = () => request(running.url);

  const schedule = async (id: string, inMs: number, extra: object = {}): Promise<{ post: Post; etag: string }> => {
    const res = await api()
      .post('/posts')
      .send({
        id,
        title: `Title of ${id}`,
        body: `Body of ${id}`,
        authorIds: ['ann'],
        status: 'scheduled',
        publishAt: inMsWithOffset(inMs),
        ...extra,
      });
    if (res.status !== 201) throw new Error(`POST /posts answered ${res.status}: ${res.text}`);
    return { post: res.body as Post, etag: res.headers.etag };
  };
  const namesPost = (id: string) => (d: RecordedRequest) =>
    bodyOf(d).client_payload.changes.some((c) => c.kind === 'post' && c.id === id);
  const dispatchesNaming = (id: string) => github.dispatches().filter(namesPost(id));
  /** The ETags the record of the last dispatch (or of the last quiet reconcile pass) holds, by key. */
  const markerObjects = async () => (await s3.readJson<{ objects: Record<string, string> }>(MARKER))?.objects ?? {};
  /** A post scheduled after the one under test and published: every job and catch-up pass due before it has run. */
  const sentinel = async (id: string, inMs: number) => {
    await schedule(id, inMs);
    await publishedPost(running.url, id);
  };

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
    running = await startDeployingApp(stack, github, {
      DEPLOY_DEBOUNCE_MS: String(DEBOUNCE_MS),
      DEPLOY_MAX_WAIT_MS: '2000',
      DEPLOY_RECONCILE_MS: '500',
    });
    s3 = new DirectS3(stack.s3, running.config.s3.bucket);
    await api().post('/authors').send({ id: 'ann', name: 'Ann' }).expect(201);
    await answeredDispatches(github, 1);
    github.reset();
  });

  afterAll(async () => {
    lateness.print('scheduling');
    dispatchDelays.print('scheduling');
    s3?.close();
    await running?.close();
    await github?.close();
    await stack?.stop();
  });

  describe('the publishAt rule', () => {
    const base = { title: 'Rule', body: 'x', authorIds: ['ann'] };

    it.each([
      ['scheduled without publishAt', { status: 'scheduled' }, /publishAt is required with status "scheduled"/],
      [
        'scheduled in the past',
        { status: 'scheduled', publishAt: '2020-01-01T00:00:00Z' },
        /publishAt must be in the future/,
      ],
      [
        'publishAt without an offset',
        { status: 'scheduled', publishAt: '2099-01-01T09:00:00' },
        /publishAt must end with a time zone offset/,
      ],
      [
        'publishAt with a draft',
        { status: 'draft', publishAt: '2099-01-01T09:00:00Z' },
        /publishAt is only accepted with status "scheduled"/,
      ],
      [
        'publishAt with no status (a draft)',
        { publishAt: '2099-01-01T09:00:00Z' },
        /publishAt is only accepted with status "scheduled"/,
      ],
      [
        'publishAt with published',
        { status: 'published', publishAt: '2099-01-01T09:00:00Z' },
        /publishAt is only accepted with status "scheduled"/,
      ],
    ])('refuses %s with a 400 saying so, and writes nothing', async (_, fields, message) => {
      const res = await api()
        .post('/posts')
        .send({ ...base, id: 'refused', ...fields })
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(String(res.body.message)).toMatch(message);
      expect(await s3.exists('posts/refused.json')).toBe(false);
    });

    it('stores publishAt in UTC, lists scheduled posts by status, and keeps publishedAt null until publication', async () => {
      const { post } = await api()
        .post('/posts')
        .send({ ...base, id: 'tz', status: 'scheduled', publishAt: '2099-01-01T09:00:00+09:00' })
        .expect(201)
        .then((res) => ({ post: res.body as Post }));
      expect(post).toMatchObject({ status: 'scheduled', publishAt: '2099-01-01T00:00:00.000Z', publishedAt: null });
      expect(await s3.readJson('posts/tz.json')).toEqual(post);
      const listed = await api().get('/posts').query({ status: 'scheduled' }).expect(200);
      expect((listed.body.items as Post[]).map((p) => p.id)).toContain('tz');
      const drafts = await api().get('/posts').query({ status: 'draft' }).expect(200);
      expect((drafts.body.items as Post[]).map((p) => p.id)).not.toContain('tz');
    });

    it('an overdue post (its time passed while no worker ran) can still be edited, and keeps its time', async () => {
      // An API-only instance with queues of its own: nothing there publishes the post when its time comes.
      const apiOnly = await startApp(stack.config(githubEnv(github, { APP_ROLE: 'api', QUEUE_PREFIX: 'overdue' })));
      try {
        const call = () => request(apiOnly.url);
        await call().post('/authors').send({ id: 'ann', name: 'Ann' }).expect(201);
        const publishAt = inMsWithOffset(1_000);
        const due = new Date(Date.parse(publishAt)).toISOString();
        await call()
          .post('/posts')
          .send({ ...base, id: 'overdue', status: 'scheduled', publishAt })
          .expect(201);
        await waitFor('publishAt to pass', () => Date.now() > Date.parse(due), 5_000);
        const edited = await call().patch('/posts/overdue').send({ title: 'Edited while overdue' }).expect(200);
        expect(edited.body).toMatchObject({ title: 'Edited while overdue', status: 'scheduled', publishAt: due });
        await call().put('/posts/overdue').send(edited.body).expect(200);
        const moved = await call().patch('/posts/overdue').send({ publishAt: '2020-01-01T00:00:00Z' }).expect(400);
        expect(String(moved.body.message)).toMatch(/publishAt must be in the future/);
      } finally {
        await apiOnly.close();
      }
    });

    it('PATCH: publishAt alone on a draft is refused; changing the status away from scheduled clears it', async () => {
      await api()
        .post('/posts')
        .send({ ...base, id: 'patchy' })
        .expect(201);
      expect(
        String(
          (await api().patch('/posts/patchy').send({ publishAt: '2099-01-01T00:00:00Z' }).expect(400)).body.message,
        ),
      ).toMatch(/only accepted with status "scheduled"/);
      const scheduled = await api()
        .patch('/posts/patchy')
        .send({ status: 'scheduled', publishAt: '2099-01-01T00:00:00-05:00' })
        .expect(200);
      expect(scheduled.body).toMatchObject({ status: 'scheduled', publishAt: '2099-01-01T05:00:00.000Z' });
      const edited = await api().patch('/posts/patchy').send({ title: 'Still scheduled' }).expect(200);
      expect(edited.body).toMatchObject({ status: 'scheduled', publishAt: '2099-01-01T05:00:00.000Z' });
      const back = await api().patch('/posts/patchy').send({ status: 'draft' }).expect(200);
      expect(back.body).toMatchObject({ status: 'draft', publishAt: null, publishedAt: null });
      // Round trip: what GET returns can be PUT back.
      await api().put('/posts/patchy').send(back.body).expect(200);
    });
  });

  it('a scheduled post is published at its publishAt, and one dispatch names it', async () => {
    const ids = ['on-time-1', 'on-time-2', 'on-time-3', 'on-time-4', 'on-time-5'];
    const scheduled = await Promise.all(ids.map((id, i) => schedule(id, 1_200 + i * 400)));
    expect(dispatchesNaming('on-time-1')).toHaveLength(0);
    for (const [i, id] of ids.entries()) {
      const post = await publishedPost(running.url, id);
      const { post: before, etag } = scheduled[i];
      lateness.add('one instance, worker up', latenessMs(post, before.publishAt!));
      expect(post).toEqual({
        ...before,
        status: 'published',
        publishAt: null,
        publishedAt: before.publishAt,
        updatedAt: expect.any(String),
      });
      expect(Date.parse(post.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before.publishAt!));
      expect((await api().get(`/posts/${id}`).expect(200)).headers.etag).not.toBe(etag);
      // No dispatch named it before its publication: a scheduled post is not on the site.
      expect(
        github.dispatches().filter((d) => d.startedAt < Date.parse(post.updatedAt) && namesPost(id)(d)),
      ).toHaveLength(0);
    }
    for (const id of ids) {
      const [dispatch] = await waitFor(
        `a dispatch naming ${id}`,
        () => dispatchesNaming(id).length > 0 && dispatchesNaming(id),
      );
      const published = (await readPost(running.url, id))!;
      // A change like any other: its dispatch follows the quiet window (measured, not asserted: a loaded machine stretches it).
      expect(dispatch.startedAt).toBeGreaterThanOrEqual(Date.parse(published.updatedAt));
      dispatchDelays.add(
        'after a publication, minus the quiet window',
        dispatch.startedAt - Date.parse(published.updatedAt) - DEBOUNCE_MS,
      );
      expect(bodyOf(dispatch).client_payload.changes).toContainEqual(
        expect.objectContaining({ kind: 'post', id, action: FIRST_ON_SITE }),
      );
    }
    // Once the record of the last dispatch holds every publication, nothing is left to deploy: one dispatch each.
    const etags = await Promise.all(
      ids.map(async (id) => (await api().get(`/posts/${id}`)).headers.etag.replace(/"/g, '')),
    );
    await waitFor('the dispatch record to hold the published posts', async () => {
      const objects = await markerObjects();
      return ids.every((id, i) => objects[`posts/${id}.json`] === etags[i]);
    });
    for (const id of ids) expect(dispatchesNaming(id)).toHaveLength(1);
  });

  it('creating, editing, rescheduling and deleting a scheduled post deploys nothing, also through the reconcile pass', async () => {
    await schedule('quiet', 60_000);
    await api().patch('/posts/quiet').send({ title: 'Edited while scheduled' }).expect(200);
    const rescheduled = await api()
      .patch('/posts/quiet')
      .send({ publishAt: inMsWithOffset(120_000) })
      .expect(200);
    const etag = rescheduled.headers.etag.replace(/"/g, '');
    await waitFor(
      'a reconcile pass to see the scheduled post',
      async () => (await markerObjects())['posts/quiet.json'] === etag,
    );
    await api().delete('/posts/quiet').expect(204);
    await waitFor('a reconcile pass to see it deleted', async () => !('posts/quiet.json' in (await markerObjects())));
    expect(dispatchesNaming('quiet')).toHaveLength(0);
  });

  it('rescheduled: published at the new time, not the old one', async () => {
    const { post } = await schedule('moved', 2_000);
    const later = inMsWithOffset(3_500);
    const moved = (await api().patch('/posts/moved').send({ publishAt: later }).expect(200)).body as Post;
    expect(moved.publishAt).toBe(new Date(later).toISOString());
    const jobs = (await boardJobs(running.url, 'publish', 'delayed')).filter((job) => job.data.postId === 'moved');
    expect(jobs.map((job) => job.data.publishAt)).toEqual([moved.publishAt]);
    const published = await publishedPost(running.url, 'moved');
    expect(published.publishedAt).toBe(moved.publishAt);
    expect(Date.parse(published.updatedAt)).toBeGreaterThanOrEqual(Date.parse(moved.publishAt!));
    expect(post.publishAt).not.toBe(moved.publishAt);
    lateness.add('one instance, worker up', latenessMs(published, moved.publishAt!));
  });

  it('unscheduled or deleted before its time: never published, never resurrected', async () => {
    await schedule('unscheduled', 8_000);
    await schedule('deleted', 8_000);
    await api().patch('/posts/unscheduled').send({ status: 'draft' }).expect(200);
    await api().delete('/posts/deleted').expect(204);
    expect(
      (await boardJobs(running.url, 'publish', 'delayed')).filter((job) =>
        ['unscheduled', 'deleted'].includes(job.data.postId),
      ),
    ).toEqual([]);
    await sentinel('after-cancel', 9_000);
    expect(await readPost(running.url, 'unscheduled')).toMatchObject({
      status: 'draft',
      publishAt: null,
      publishedAt: null,
    });
    expect(await s3.exists('posts/deleted.json')).toBe(false);
  });

  describe("edited behind the service's back (straight in the bucket)", () => {
    it('new content for the same time: the new content is published, never the version the job was queued for', async () => {
      const { post } = await schedule('direct-edit', 2_000);
      await s3.putJson('posts/direct-edit.json', { ...post, body: 'Edited in the bucket' });
      const published = await publishedPost(running.url, 'direct-edit');
      expect(published).toMatchObject({ body: 'Edited in the bucket', publishedAt: post.publishAt });
    });

    it('a new publishAt written in the bucket is followed', async () => {
      const { post } = await schedule('direct-move', 2_000);
      const later = new Date(Date.now() + 3_500).toISOString();
      await s3.putJson('posts/direct-move.json', { ...post, publishAt: later });
      const published = await publishedPost(running.url, 'direct-move');
      expect(published.publishedAt).toBe(later);
      expect(Date.parse(published.updatedAt)).toBeGreaterThanOrEqual(Date.parse(later));
    });

    it('turned into a draft, or deleted, in the bucket: not published, not resurrected', async () => {
      const { post } = await schedule('direct-draft', 8_000);
      await schedule('direct-delete', 8_000);
      await s3.putJson('posts/direct-draft.json', { ...post, status: 'draft', publishAt: null });
      await s3.delete('posts/direct-delete.json');
      await sentinel('after-direct', 9_000);
      expect(await s3.readJson('posts/direct-draft.json')).toMatchObject({ status: 'draft', publishedAt: null });
      expect(await s3.exists('posts/direct-delete.json')).toBe(false);
    });
  });

  it('the dashboard lists upcoming publications as delayed jobs named with the post id and title', async () => {
    await schedule('on-the-board', 600_000, { title: '예약된 글: on the board' });
    const [job] = (await boardJobs(running.url, 'publish', 'delayed')).filter((j) => j.data.postId === 'on-the-board');
    expect(job.name).toBe('publish on-the-board: 예약된 글: on the board');
    expect(job.data).toMatchObject({ postId: 'on-the-board', title: '예약된 글: on the board' });
    expect(job.timestamp + job.delay).toBeGreaterThan(Date.now() + 590_000);
    await api().delete('/posts/on-the-board').expect(204);
    expect(
      (await boardJobs(running.url, 'publish', 'delayed')).filter((j) => j.data.postId === 'on-the-board'),
    ).toEqual([]);
  });
});
