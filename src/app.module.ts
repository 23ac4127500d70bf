import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { AuthorsModule } from './authors/authors.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { ContentModule } from './content/content.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { DeployModule } from './deploy/deploy.module';
import { HealthModule } from './health/health.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { NotifyModule } from './notify/notify.module';
import { PostsModule } from './posts/posts.module';
import { RedisModule } from './redis/redis.module';
import { RunsModule } from './runs/runs.module';
import { SchedulingModule } from './scheduling/scheduling.module';
import { StorageModule } from './storage/storage.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    // One instance of the deploy module (one DeployEvents, one worker): the features that use it import this very object.
    const deploy = DeployModule.forRoot(config);
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        RedisModule,
        StorageModule,
        ContentModule,
        AuthModule,
        HealthModule,
        AuthorsModule,
        PostsModule,
        deploy,
        RunsModule.forRoot(config, deploy),
        NotifyModule.forRoot(config, deploy),
        SchedulingModule.forRoot(config),
        MetricsModule,
        DashboardModule.forRoot(config),
        LifecycleModule.forRoot(config),
      ],
    };
  }
}
