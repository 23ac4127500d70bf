import { classifyRedisError, RedisCommandError } from './redis-errors';

describe('Redis errors', () => {
  it.each([
    ["READONLY You can't write against a read only replica.", 'read-only'],
    ['MOVED 7653 127.0.0.1:7001', 'cluster'],
    ['CLUSTERDOWN The cluster is down', 'cluster'],
    ["OOM command not allowed when used memory > 'maxmemory'.", 'out-of-memory'],
    ['NOSCRIPT No matching script. Please use EVAL.', 'script'],
    ["ERR user_script:3: Script attempted to access nonexistent global variable 'x' script: 1234", 'script'],
    ['connect ECONNREFUSED 127.0.0.1:6379', 'unreachable'],
    ["Stream isn't writeable and enableOfflineQueue options is false", 'unreachable'],
    ['Reached the max retries per request limit (which is 1).', 'unreachable'],
    ['Command timed out', 'unreachable'],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', 'other'],
  ])('classifies "%s" as %s', (message, trouble) => {
    expect(classifyRedisError(new Error(message))).toBe(trouble);
  });

  it('says what failed and why; a script bug is a 500, the rest 503', () => {
    const readonly = new RedisCommandError('read-only', 'The deploy was not requested', 'READONLY ...');
    expect(readonly.status).toBe(503);
    expect(readonly.message).toMatch(/^The deploy was not requested: Redis is a read-only replica/);
    expect(new RedisCommandError('script', 'The deploy state could not be read', 'ERR user_script').status).toBe(500);
  });
});
