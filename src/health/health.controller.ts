import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator';
import { GithubClient } from '../github/github.client';
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
    private readonly github: GithubClient,
  ) {}

  /** Liveness: 200 while the process can answer at all. */
  @Get()
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['ok'] } },
      required: ['status'],
      additionalProperties: false,
    },
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: 503 while Redis or S3 cannot be reached. GitHub access is reported but never fails it (editing still works). */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () =>
        this.indicators
          .check('redis')
          .attempt(() => this.redis.ping())
          .withTimeout(PROBE_TIMEOUT_MS),
      () =>
        this.indicators
          .check('s3')
          .attempt(() => this.storage.ping())
          .withTimeout(PROBE_TIMEOUT_MS),
      () => this.githubAccess(),
    ]);
  }

  /** `up` when the token or the GitHub App may dispatch (or in dry run), otherwise `degraded` with the sentence saying what to fix. */
  private async githubAccess() {
    const { state, message, checkedAt } = await this.github.access({ waitMs: PROBE_TIMEOUT_MS });
    const github = this.indicators.check('github');
    return state === 'ok' || state === 'dry-run'
      ? github.up({ state, message, checkedAt })
      : github.degraded({ state, message, checkedAt });
  }
}
