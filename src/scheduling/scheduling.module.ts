import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PublicationCatchUp } from './publication-catch-up';
import { PublicationProcessor } from './publication.processor';
import { PublicationQueue } from './publication-queue';
import { Publisher } from './publisher';
import { PUBLICATION_QUEUE } from './scheduling.constants';

const queue = BullModule.registerQueue({ name: PUBLICATION_QUEUE });

/**
 * Scheduled publishing. Every role queues the publication of the posts it saves as scheduled (PostsService
 * uses PublicationQueue); only `worker` and `all` run the jobs and the catch-up pass. The queue's Redis
 * connection is the one configured for BullMQ by the deploy feature.
 */
@Global()
@Module({})
export class SchedulingModule {
  static forRoot(config: AppConfig): DynamicModule {
    const workerProviders: Provider[] =
      config.role === 'api' ? [] : [Publisher, PublicationProcessor, PublicationCatchUp];
    return {
      module: SchedulingModule,
      imports: [queue],
      providers: [PublicationQueue, ...workerProviders],
      exports: [queue, PublicationQueue],
    };
  }
}
