import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { Notice } from './notices';

const TIMEOUT_MS = 10_000;

/** A notice the receiver did not take. The message never names the URL (it is a secret). */
export class NoticeDeliveryError extends Error {}

/** The only code that talks to NOTIFY_WEBHOOK_URL: one JSON POST per call, no retries (the notice queue retries). */
@Injectable()
export class NotifyWebhookClient {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.notify.webhookUrl !== undefined;
  }

  async send(notice: Notice): Promise<void> {
    const url = this.config.notify.webhookUrl;
    if (url === undefined) return;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'blog-deployer' },
        body: JSON.stringify(notice),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause;
      const code = typeof cause?.code === 'string' ? cause.code : (error as Error).name;
      throw new NoticeDeliveryError(`NOTIFY_WEBHOOK_URL could not be reached (${code})`);
    }
    await response.body?.cancel();
    if (!response.ok) throw new NoticeDeliveryError(`NOTIFY_WEBHOOK_URL answered ${response.status}`);
  }
}
