import { Injectable, Logger } from '@nestjs/common';
import type { Deploy, DeployStatus } from './deploy.types';

/** A deploy that just moved, as this process moved it. `from` is null for a deploy that was just created. */
export interface DeployTransition {
  deploy: Deploy;
  from: DeployStatus | null;
  to: DeployStatus;
  /** Epoch milliseconds of the transition. */
  at: number;
}

export type DeployTransitionListener = (transition: DeployTransition) => void | Promise<void>;

/**
 * Where the deploy state owner reports each transition it made, after the Redis script committed it.
 * Metrics and notices subscribe. Listeners run after the transition and apart from it: a slow or failing
 * listener never delays or undoes a deploy (its failure is logged).
 */
@Injectable()
export class DeployEvents {
  private readonly logger = new Logger(DeployEvents.name);
  private readonly listeners: DeployTransitionListener[] = [];

  subscribe(listener: DeployTransitionListener): void {
    this.listeners.push(listener);
  }

  publish(transition: DeployTransition): void {
    for (const listener of this.listeners) {
      void Promise.resolve()
        .then(() => listener(transition))
        .catch((error: Error) =>
          this.logger.warn(`a listener of deploy ${transition.deploy.id} (${transition.to}) failed: ${error.message}`),
        );
    }
  }
}
