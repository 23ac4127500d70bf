import { Global, Module } from '@nestjs/common';
import { QueueConnection } from './queue-connection';
import { RedisModeCheck } from './redis-mode-check';
import { RedisService } from './redis.service';

@Global()
@Module({ providers: [RedisModeCheck, RedisService, QueueConnection], exports: [RedisService, QueueConnection] })
export class RedisModule {}
