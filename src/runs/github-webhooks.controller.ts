import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import {
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../auth/public.decorator';
import { KeepRawBody } from '../common/raw-body.decorator';
import { GithubWebhooks } from './github-webhooks';

/** GitHub's webhook deliveries: signed with GITHUB_WEBHOOK_SECRET instead of a bearer token. */
@Public()
@ApiTags('webhooks')
@Controller('webhooks')
export class GithubWebhooksController {
  constructor(private readonly webhooks: GithubWebhooks) {}

  @Post('github')
  @KeepRawBody()
  @HttpCode(204)
  @ApiHeader({ name: 'X-GitHub-Event', description: 'Only workflow_run events change anything' })
  @ApiHeader({
    name: 'X-Hub-Signature-256',
    required: true,
    description: 'HMAC-SHA256 of the body with GITHUB_WEBHOOK_SECRET',
  })
  @ApiNoContentResponse({
    description: 'Accepted (events other than workflow_run, and runs of unknown deploys, are ignored)',
  })
  @ApiUnauthorizedResponse({ description: 'Missing or wrong signature; nothing changed' })
  @ApiNotFoundResponse({ description: 'GITHUB_WEBHOOK_SECRET is not set' })
  receive(
    @Req() req: RawBodyRequest<Request>,
    @Headers('x-github-event') event: string | undefined,
    @Headers('x-github-delivery') id: string | undefined,
    @Headers('x-hub-signature-256') signature: string | undefined,
  ): Promise<void> {
    return this.webhooks.receive({ event, id, signature, rawBody: req.rawBody });
  }
}
