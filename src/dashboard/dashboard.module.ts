import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { DynamicModule, Logger, Module, OnModuleInit } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { DEPLOY_QUEUE } from '../deploy/deploy.constants';
import { PUBLICATION_QUEUE } from '../scheduling/scheduling.constants';
import { basicAuth } from './basic-auth';

export const DASHBOARD_ROUTE = '/admin/queues';

export type DashboardMode = 'basic-auth' | 'open' | 'off';

/** Credentials set: Basic auth. Unset: off (404) in production, open elsewhere (npm run dev). */
export function dashboardMode(config: Pick<AppConfig, 'dashboard' | 'production'>): DashboardMode {
  if (config.dashboard) return 'basic-auth';
  return config.production ? 'off' : 'open';
}

const openAccess: RequestHandler = (_req: Request, _res: Response, next: NextFunction) => next();

/** Says at start how the dashboard is served (a lifecycle hook, so the line goes through the app's logger). */
class DashboardNotice implements OnModuleInit {
  constructor(private readonly mode: DashboardMode) {}

  onModuleInit(): void {
    const logger = new Logger('Dashboard');
    if (this.mode === 'off')
      logger.log(
        `the dashboard is off: set DASHBOARD_USERNAME and DASHBOARD_PASSWORD to serve it at ${DASHBOARD_ROUTE}`,
      );
    if (this.mode === 'open')
      logger.warn(
        `the dashboard at ${DASHBOARD_ROUTE} is open to anyone: set DASHBOARD_USERNAME and DASHBOARD_PASSWORD outside development`,
      );
  }
}

/**
 * Bull Board at /admin/queues, showing the deploy queue and the upcoming publications. It is Express middleware, not a Nest route, so
 * the bearer-token guard of the API does not apply: the dashboard has its own HTTP Basic auth.
 */
@Module({})
export class DashboardModule {
  static forRoot(config: AppConfig): DynamicModule {
    const mode = dashboardMode(config);
    const notice = { provide: DashboardNotice, useValue: new DashboardNotice(mode) };
    if (mode === 'off') return { module: DashboardModule, providers: [notice] };
    return {
      module: DashboardModule,
      providers: [notice],
      imports: [
        BullBoardModule.forRoot({
          route: DASHBOARD_ROUTE,
          adapter: ExpressAdapter,
          middleware: config.dashboard ? basicAuth(config.dashboard) : openAccess,
          boardOptions: { uiConfig: { boardTitle: 'Blog deploys' } },
        }),
        BullBoardModule.forFeature({
          name: DEPLOY_QUEUE,
          adapter: BullMQAdapter,
          options: {
            displayName: 'deploys',
            description: 'Coalesced GitHub repository_dispatch deploys: one job per deploy, with its changes',
          },
        }),
        BullBoardModule.forFeature({
          name: PUBLICATION_QUEUE,
          adapter: BullMQAdapter,
          options: {
            displayName: 'scheduled publications',
            description:
              'Upcoming publications of scheduled posts: one delayed job per post version, named with the post id and title',
          },
        }),
      ],
    };
  }
}
