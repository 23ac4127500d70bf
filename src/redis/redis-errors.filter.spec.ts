import { toErrorBody } from '../common/http-error.filter';
import { RedisCommandError } from './redis-errors';

/** What a client reads when Redis fails: what the service was doing and why, not always "nothing was saved". */
describe('Redis errors through the HTTP error filter', () => {
  it('answers 503 naming the failed action and the cause', () => {
    const error = new RedisCommandError(
      'read-only',
      'The deploy was not requested',
      "READONLY You can't write against a read only replica.",
    );
    expect(toErrorBody(error)).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: expect.stringMatching(/^The deploy was not requested: Redis is a read-only replica/),
    });
  });

  it('answers 500 for a failing script (a bug), without Redis internals', () => {
    const body = toErrorBody(
      new RedisCommandError(
        'script',
        'The deploys could not be read',
        'ERR user_script:3: attempt to index a nil value',
      ),
    );
    expect(body.statusCode).toBe(500);
    expect(body.message).toMatch(/^The deploys could not be read: a Redis script of this service failed/);
    expect(body.message).not.toContain('user_script');
  });
});
