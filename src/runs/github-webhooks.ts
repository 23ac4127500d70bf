import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { Webhooks } from '@octokit/webhooks';
import { DomainError, InvalidInputError, NotFoundError } from '../common/domain-errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { toActionsRun } from '../github/github-runs';
import { RunTracker } from './run-tracker';

/** A delivery whose X-Hub-Signature-256 is missing or does not match GITHUB_WEBHOOK_SECRET: nothing changes. */
export class InvalidSignatureError extends DomainError {
  readonly status = 401;
  constructor() {
    super('the X-Hub-Signature-256 header is missing or does not match the body signed with GITHUB_WEBHOOK_SECRET');
  }
}

export interface Delivery {
  event: string | undefined;
  id: string | undefined;
  signature: string | undefined;
  /** The body exactly as received: the signature covers these bytes, and only then are they parsed. */
  rawBody: Buffer | undefined;
}

type WorkflowRunPayload = EmitterWebhookEvent<'workflow_run'>['payload'];

/**
 * A signed body that is not JSON: the sender holds the secret, so it is told what is wrong (400). GitHub sends
 * form-encoded bodies when a webhook's content type is set to that instead of JSON.
 */
function parsed(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new InvalidInputError([
      'the delivery body is not JSON: set the webhook\'s "Content type" to application/json (repository Settings → Webhooks)',
    ]);
  }
}

/**
 * Receives GitHub's webhook deliveries. Only `workflow_run` events for the configured repository do
 * anything (the deploy whose run it is moves at once); everything else is acknowledged and ignored.
 */
@Injectable()
export class GithubWebhooks {
  private readonly logger = new Logger('Webhooks');
  private readonly webhooks?: Webhooks;

  constructor(
    private readonly tracker: RunTracker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const secret = config.runs.webhookSecret;
    if (secret) this.webhooks = new Webhooks({ secret });
  }

  async receive(delivery: Delivery): Promise<void> {
    if (!this.webhooks)
      throw new NotFoundError('Route', 'POST /webhooks/github (set GITHUB_WEBHOOK_SECRET to enable it)');
    const { signature, rawBody } = delivery;
    if (!signature || !rawBody || !(await this.webhooks.verify(rawBody.toString('utf8'), signature).catch(() => false)))
      throw new InvalidSignatureError();
    if (delivery.event !== 'workflow_run' || !this.config.runs.track) return;
    const payload = parsed(rawBody) as WorkflowRunPayload;
    if (
      payload.repository?.full_name?.toLowerCase() !==
      `${this.config.github.owner}/${this.config.github.repo}`.toLowerCase()
    )
      return;
    const outcome = await this.tracker.onWorkflowRun(toActionsRun(payload.workflow_run));
    if (outcome === 'updated')
      this.logger.log(
        `workflow_run ${payload.action} for run ${payload.workflow_run.id} (delivery ${delivery.id ?? '?'})`,
      );
  }
}
