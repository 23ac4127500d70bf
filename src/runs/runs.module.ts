import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { GithubModule } from '../github/github.module';
import { DeployStatusController } from './deploy-status.controller';
import { DeployStatusService } from './deploy-status.service';
import { GithubWebhooks } from './github-webhooks';
import { GithubWebhooksController } from './github-webhooks.controller';
import { RunLinks } from './run-links';
import { RunPollCache } from './run-poll-cache';
import { RunPoller } from './run-poller';
import { RunTracker } from './run-tracker';

/**
 * Following each dispatch's GitHub Actions run to `live` (polling in worker instances, webhooks in API
 * instances), and the "is it on the site?" answers for authors and posts.
 */
@Module({})
export class RunsModule {
  /** `deploy` is the application's DeployModule (imported as the same object, so it stays one instance). */
  static forRoot(config: AppConfig, deploy: DynamicModule): DynamicModule {
    return {
      module: RunsModule,
      imports: [deploy, GithubModule],
      controllers: [GithubWebhooksController, DeployStatusController],
      providers: [
        RunPollCache,
        RunTracker,
        GithubWebhooks,
        DeployStatusService,
        RunLinks,
        ...(config.role === 'api' ? [] : [RunPoller]),
      ],
    };
  }
}
