import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DeployEvents } from '../deploy/deploy-events';
import { loadLuaScript } from '../redis/lua-script';
import { RedisService } from '../redis/redis.service';
import { NoticeQueue } from './notice-queue';
import { FAILURE_STATUSES, failureNotice, NoticeSubject, recoveryNotice } from './notices';
import { NotifyWebhookClient } from './notify-webhook.client';

const NOTICE_DUE = loadLuaScript(join(__dirname, 'lua'), 'notice-due', ['failing'], ['outcome', 'deployId']);

/**
 * Decides which deploy transitions are worth a notice: every failure, and the first success after one.
 * "Failing since" is one Redis key shared by all instances; taking it is atomic (GETDEL), so a recovery
 * is announced once however many instances see deploys succeed.
 */
@Injectable()
export class NoticeService implements OnModuleInit {
  private readonly failingKey: string;

  constructor(
    private readonly client: NotifyWebhookClient,
    private readonly queue: NoticeQueue,
    private readonly redis: RedisService,
    private readonly events: DeployEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.failingKey = redis.key('notify', 'failing');
  }

  onModuleInit(): void {
    if (this.client.enabled) this.events.subscribe(({ deploy, to }) => this.onTransition(deploy, to));
  }

  /** With run tracking off, a deploy ends at `dispatched`: that is the success a recovery waits for. */
  private get successStatus(): string {
    return this.config.runs.track ? 'live' : 'dispatched';
  }

  async onTransition(deploy: NoticeSubject, to: string): Promise<void> {
    const outcome = FAILURE_STATUSES.includes(to) ? 'failure' : to === this.successStatus ? 'success' : null;
    if (outcome === null) return;
    const due = await this.redis.run(
      NOTICE_DUE,
      { failing: this.failingKey },
      { outcome, deployId: deploy.id },
      `The notice for deploy ${deploy.id} could not be queued`,
    );
    if (due === 'failure') await this.queue.add(failureNotice({ ...deploy, status: to }), 'failure');
    if (due === 'recovery') await this.queue.add(recoveryNotice({ ...deploy, status: to }), 'recovery');
  }
}
