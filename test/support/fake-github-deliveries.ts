import { createHmac, randomUUID } from 'node:crypto';

export interface Delivery {
  action: string;
  runId: number;
  /** The service's answer; undefined while in flight or when it could not be reached. */
  status?: number;
}

/** HMAC-SHA256 of the body, as GitHub signs webhook deliveries (X-Hub-Signature-256). */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A repository webhook: GitHub POSTing signed events to the service (or a stranger posting anything). */
export class WebhookDeliveries {
  /** Where and with which secret events go; unset = no webhook configured, nothing is sent. */
  target?: { url: string; secret: string };
  readonly sent: Delivery[] = [];

  /** Signs and sends a `workflow_run` event as GitHub does, without waiting for the answer. */
  send(action: string, runId: number, body: string): void {
    if (!this.target) return;
    const delivery: Delivery = { action, runId };
    this.sent.push(delivery);
    void this.deliver(body, signature(this.target.secret, body)).then(
      (status) => (delivery.status = status),
      () => undefined,
    );
  }

  /** Delivers any body with any signature (or none). Resolves with the service's status. */
  async deliver(body: string, signatureHeader: string | undefined, event = 'workflow_run'): Promise<number> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': randomUUID(),
    };
    if (signatureHeader !== undefined) headers['x-hub-signature-256'] = signatureHeader;
    const response = await fetch(this.target!.url, { method: 'POST', headers, body });
    return response.status;
  }
}
