import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import { QueueOptions } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { GithubModule } from '../github/github.module';
import { QueueConnection } from '../redis/queue-connection';
import { DeployController } from './deploy.controller';
import { DeployProcessor } from './deploy.processor';
import { DeployQueue } from './deploy-queue';
import { DeployEvents } from './deploy-events';
import { DeployState } from './deploy-state';
import { RedisDeployState } from './redis-deploy-state';
import { DeployWatchdog } from './deploy-watchdog';
import { DispatchMarker } from './dispatch-marker';
import { DispatchSnapshots } from './dispatch-snapshots';
import { Reconciler } from './reconciler';
import { DeployService } from './deploy.service';
import { DEPLOY_QUEUE } from './deploy.constants';

const queue = BullModule.registerQueue({ name: DEPLOY_QUEUE });

/**
 * The deploy pipeline. Every role records changes and serves /deploys; only `worker` and `all` run the
 * BullMQ worker and the watchdog, so any mix of instances on one Redis behaves as one service.
 */
@Module({})
export class DeployModule {
  static forRoot(config: AppConfig): DynamicModule {
    const workerProviders: Provider[] =
      config.role === 'api' ? [] : [DeployProcessor, DispatchSnapshots, DeployWatchdog, Reconciler];
    return {
      module: DeployModule,
      imports: [
        BullModule.forRootAsync({
          inject: [APP_CONFIG, QueueConnection],
          useFactory: (c: AppConfig, connection: QueueConnection): QueueOptions => ({
            connection: connection.options(),
            prefix: c.queuePrefix,
          }),
        }),
        queue,
        GithubModule,
      ],
      controllers: [DeployController],
      providers: [
        { provide: DeployState, useClass: RedisDeployState },
        DeployEvents,
        DeployQueue,
        DeployService,
        DispatchMarker,
        ...workerProviders,
      ],
      exports: [queue, DeployService, DeployQueue, DeployState, DeployEvents],
    };
  }
}
