import type { NextFunction, Request, Response } from 'express';
import { workerRoutesOnly } from './worker-routes';

function call(
  method: string,
  url: string,
): { passed: boolean; status?: number; body?: { statusCode: number; message: string } } {
  const result: ReturnType<typeof call> = { passed: false };
  const res = {
    status(code: number) {
      result.status = code;
      return this;
    },
    json(body: { statusCode: number; message: string }) {
      result.body = body;
      return this;
    },
  } as unknown as Response;
  const next: NextFunction = () => (result.passed = true);
  workerRoutesOnly({ method, url, originalUrl: url } as Request, res, next);
  return result;
}

describe('workerRoutesOnly (APP_ROLE=worker)', () => {
  it.each([
    ['GET', '/health'],
    ['GET', '/health/ready'],
    ['HEAD', '/health'],
    ['GET', '/health/ready?verbose=1'],
    ['GET', '/health/'],
  ])('lets %s %s through to the probes', (method, url) => {
    expect(call(method, url)).toEqual({ passed: true });
  });

  it.each([
    ['GET', '/authors'],
    ['POST', '/authors'],
    ['GET', '/deploys'],
    ['POST', '/health'],
    ['GET', '/docs'],
    ['GET', '/admin/queues'],
    ['GET', '/healthz'],
    ['GET', '/'],
  ])('answers %s %s with a 404 naming the role', (method, url) => {
    const result = call(method, url);
    expect(result.passed).toBe(false);
    expect(result.status).toBe(404);
    expect(result.body).toMatchObject({
      statusCode: 404,
      error: 'Not Found',
      message: expect.stringContaining('APP_ROLE=worker'),
    });
  });
});
