import request from 'supertest';
import type { DeployJobData } from '../../src/deploy/deploy-queue';
import { DEPLOY_QUEUE } from '../../src/deploy/deploy.constants';
import type { PublicationTarget } from '../../src/scheduling/publication-queue';
import { PUBLICATION_QUEUE } from '../../src/scheduling/scheduling.constants';

/** What each queue's jobs carry, by the queue's name. */
interface QueueData {
  [DEPLOY_QUEUE]: DeployJobData;
  [PUBLICATION_QUEUE]: PublicationTarget;
}

export interface BoardJob<Data> {
  id: string;
  name: string;
  delay: number;
  timestamp: number;
  data: Data;
}

/** The jobs of `queue` in `status` as the dashboard lists them: from the JSON its page reads (Bull Board's API). */
export async function boardJobs<Q extends keyof QueueData>(
  url: string,
  queue: Q,
  status: 'delayed' | 'completed' | 'failed',
  auth?: [string, string],
): Promise<BoardJob<QueueData[Q]>[]> {
  const req = request(url)
    .get('/admin/queues/api/queues')
    .query({ activeQueue: queue, status, page: 1, jobsPerPage: 100 });
  const res = await (auth ? req.auth(...auth) : req).expect(200);
  const listed = (res.body.queues as { name: string; jobs: BoardJob<QueueData[Q]>[] }[]).find((q) => q.name === queue);
  if (!listed) throw new Error(`the dashboard does not list the ${queue} queue: ${res.text.slice(0, 500)}`);
  return listed.jobs;
}
