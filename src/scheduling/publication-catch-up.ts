import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { RepeatedLog } from '../common/repeated-log';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PostRepository } from '../content/repositories';
import { troubleKey } from '../redis/redis-errors';
import { RedisService } from '../redis/redis.service';
import { PublicationQueue, publicationTarget } from './publication-queue';
import { Publisher } from './publisher';

export interface CatchUpResult {
  published: number;
  queued: number;
}

/**
 * What makes scheduled publishing independent of Redis and of any one process: at start and every
 * DEPLOY_RECONCILE_MS, one worker instance at a time reads the scheduled posts from S3 (through the posts
 * index), publishes those whose time has passed (the worker or Redis was down then) and queues the job of
 * every other one again (a no-op when it exists; after Redis lost its data, it re-creates it).
 */
@Injectable()
export class PublicationCatchUp implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduling');
  private readonly repeated = new RepeatedLog(this.logger);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /** Posts whose publishAt cannot be read, reported once per version rather than every pass. */
  private readonly reported = new Set<string>();

  constructor(
    private readonly posts: PostRepository,
    private readonly queue: PublicationQueue,
    private readonly publisher: Publisher,
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.trigger();
    this.timer = setInterval(() => this.trigger(), this.config.deploy.reconcileMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private trigger(): void {
    this.running ??= this.pass()
      .then(() => undefined)
      .catch((error: Error) => this.repeated.warn(`scheduled publications catch-up failed (next one in ${this.config.deploy.reconcileMs} ms): ${error.message}`, troubleKey(error)))
      .finally(() => (this.running = undefined));
  }

  /** One pass; null when another instance is running one. */
  async pass(): Promise<CatchUpResult | null> {
    const pass = await this.redis.tryWithLock('publication-catch-up', () => this.catchUp());
    return pass?.value ?? null;
  }

  private async catchUp(): Promise<CatchUpResult> {
    const result: CatchUpResult = { published: 0, queued: 0 };
    const scheduled = (await this.posts.index.all()).filter((post) => post.status === 'scheduled');
    for (const post of scheduled) {
      const target = publicationTarget(post);
      const at = Date.parse(target.publishAt);
      if (Number.isNaN(at)) {
        this.reportUnreadable(post.id, target.version);
      } else if (at <= Date.now()) {
        if ((await this.publisher.publish(target)) === 'published') result.published++;
      } else {
        await this.queue.plan(target);
        result.queued++;
      }
    }
    if (result.published > 0) this.logger.log(`catch-up: ${result.published} overdue publication(s) done`);
    return result;
  }

  private reportUnreadable(id: string, version: string): void {
    if (this.reported.has(version)) return;
    this.reported.add(version);
    this.logger.warn(`post ${id} is scheduled without a readable publishAt: it is not published until fixed (PUT or PATCH it)`);
  }
}
