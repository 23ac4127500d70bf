import { Global, Module } from '@nestjs/common';
import { QueueConnection } from './queue-connection';
import { RedisModeCheck } from './redis-mode-check';
import { RedisService } from './redis.service';

/**
 * Global: one Redis connection per process, the way every feature that keeps shared state (content versions,
 * write locks, deploy state, run tracking, health) reaches Redis, through RedisService's named methods.
 */
@Global()
@Module({ providers: [RedisModeCheck, RedisService, QueueConnection], exports: [RedisService, QueueConnection] })
export class RedisModule {}
