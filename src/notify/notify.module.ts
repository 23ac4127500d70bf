import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DeployModule } from '../deploy/deploy.module';
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
  static forRoot(config: AppConfig): DynamicModule {
    const delivery = config.role === 'api' || !config.notify.webhookUrl ? [] : [NoticeProcessor];
    return {
      module: NotifyModule,
      imports: [DeployModule.forRoot(config), BullModule.registerQueue({ name: NOTICE_QUEUE })],
      providers: [NotifyWebhookClient, NoticeQueue, NoticeService, ...delivery],
    };
  }
}
