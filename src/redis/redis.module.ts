import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service';

/**
 * Global: one Redis connection per process, the way every feature that keeps shared state (content versions,
 * write locks, deploy state, run tracking, health) reaches Redis, through RedisService's named methods.
 */
@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
