import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator';
import { RedisService } from '../redis/redis.service';
import { S3StorageService } from '../storage/s3-storage.service';

const PROBE_TIMEOUT_MS = 3_000;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisService,
    private readonly storage: S3StorageService,
  ) {}

  /** Liveness: 200 while the process can answer at all. */
  @Get()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: 503 while Redis or S3 cannot be reached. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.indicators.check('redis').attempt(() => this.redis.ping()).withTimeout(PROBE_TIMEOUT_MS),
      () => this.indicators.check('s3').attempt(() => this.storage.ping()).withTimeout(PROBE_TIMEOUT_MS),
    ]);
  }
}
