import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { WorkerDrain } from './worker-drain';

/** Shutdown plumbing that lives inside the Nest application (signals are handled in main.ts). */
@Module({})
export class LifecycleModule {
  static forRoot(config: AppConfig): DynamicModule {
    // Only instances that run the deploy worker have anything to drain.
    return {
      module: LifecycleModule,
      imports: [DiscoveryModule],
      providers: config.role === 'api' ? [] : [WorkerDrain],
    };
  }
}
