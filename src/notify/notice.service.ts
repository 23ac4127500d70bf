import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisService } from '../redis/redis.service';
import { NoticeQueue } from './notice-queue';
import { FAILURE_STATUSES, failureNotice, NoticeSubject, recoveryNotice } from './notices';
import { NotifyWebhookClient } from './notify-webhook.client';

/**
 * Decides which deploy transitions are worth a notice: every failure, and the first success after one.
 * "Failing since" is one Redis key shared by all instances; taking it is atomic (GETDEL), so a recovery
 * is announced once however many instances see deploys succeed.
 */
@Injectable()
export class NoticeService {
  private readonly failingKey: string;

  constructor(
    private readonly client: NotifyWebhookClient,
    private readonly queue: NoticeQueue,
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.failingKey = redis.key('notify', 'failing');
  }

  /** With run tracking off, a deploy ends at `dispatched`: that is the success a recovery waits for. */
  private get successStatus(): string {
    return this.config.runs.track ? 'live' : 'dispatched';
  }

  async onTransition(deploy: NoticeSubject, to: string): Promise<void> {
    if (!this.client.enabled) return;
    if (FAILURE_STATUSES.includes(to)) {
      await this.redis.command(() => this.redis.client.set(this.failingKey, deploy.id));
      await this.queue.add(failureNotice({ ...deploy, status: to }), 'failure');
    } else if (to === this.successStatus) {
      const failing = await this.redis.command(() => this.redis.client.getdel(this.failingKey));
      if (failing !== null) await this.queue.add(recoveryNotice({ ...deploy, status: to }), 'recovery');
    }
  }
}
