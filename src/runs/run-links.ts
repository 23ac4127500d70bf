import { Injectable, OnModuleInit } from '@nestjs/common';
import { DeployEvents } from '../deploy/deploy-events';
import { DeployQueue } from '../deploy/deploy-queue';

const RUN_STATUSES = new Set(['building', 'live', 'build-failed', 'superseded']);

/** Shows each deploy's Actions run (link and outcome) on its deploy job in the dashboard. */
@Injectable()
export class RunLinks implements OnModuleInit {
  constructor(
    private readonly events: DeployEvents,
    private readonly queue: DeployQueue,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(async ({ deploy, to }) => {
      if (deploy.run && RUN_STATUSES.has(to))
        await this.queue.annotate(deploy.id, { run: deploy.run.url, runStatus: to });
    });
  }
}
