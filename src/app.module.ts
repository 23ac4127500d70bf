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
import { PostsModule } from './posts/posts.module';
import { RedisModule } from './redis/redis.module';
import { StorageModule } from './storage/storage.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [AppConfigModule.forRoot(config), LoggingModule.forRoot(config), RedisModule, StorageModule, ContentModule, AuthModule, HealthModule, AuthorsModule, PostsModule, DeployModule.forRoot(config), MetricsModule, DashboardModule.forRoot(config), LifecycleModule.forRoot(config)],
    };
  }
}
