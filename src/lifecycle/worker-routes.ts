import type { NextFunction, Request, Response } from 'express';

/** What an instance with APP_ROLE=worker answers over HTTP: the probes, nothing else. */
export const WORKER_PATHS: ReadonlySet<string> = new Set(['/health', '/health/ready']);

/**
 * Express middleware for APP_ROLE=worker. The worker keeps PORT open for liveness and readiness probes
 * (an orchestrator needs them to restart a stuck worker), but serves no API, docs or dashboard: an allow
 * list, so a route added later cannot leak onto worker instances by accident.
 */
export function workerRoutesOnly(req: Request, res: Response, next: NextFunction): void {
  const path = (req.originalUrl ?? req.url).split('?')[0].replace(/\/+$/, '') || '/';
  if ((req.method === 'GET' || req.method === 'HEAD') && WORKER_PATHS.has(path)) return next();
  res.status(404).json({
    statusCode: 404,
    error: 'Not Found',
    message:
      'This instance runs with APP_ROLE=worker: it serves only /health and /health/ready. Send API requests to an instance with APP_ROLE=api or all.',
  });
}
