import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { NOTICE_QUEUE, NoticeQueue } from './notice-queue';
import { NoticeProcessor } from './notice.processor';
import { NoticeService } from './notice.service';
import { NotifyWebhookClient } from './notify-webhook.client';

/**
 * Notices to NOTIFY_WEBHOOK_URL about failed deploys and recoveries. Every role queues them (a transition can
 * happen in any instance); the instances that run workers deliver them.
 */
@Module({})
export class NotifyModule {
  /** `deploy` is the application's DeployModule (imported as the same object, so it stays one instance). */
  static forRoot(config: AppConfig, deploy: DynamicModule): DynamicModule {
    const delivery = config.role === 'api' || !config.notify.webhookUrl ? [] : [NoticeProcessor];
    return {
      module: NotifyModule,
      imports: [deploy, BullModule.registerQueue({ name: NOTICE_QUEUE })],
      providers: [NotifyWebhookClient, NoticeQueue, NoticeService, ...delivery],
    };
  }
}
