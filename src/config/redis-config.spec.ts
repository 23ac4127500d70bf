import calculateSlot from 'cluster-key-slot';
import fc from 'fast-check';
import { ConfigError } from './config-error';
import { isHashTag, redisConfig } from './redis-config';

describe('redisConfig', () => {
  it('takes one URL by default and a comma-separated list of seeds in cluster mode', () => {
    expect(redisConfig({}, 'blog')).toEqual({ urls: ['redis://127.0.0.1:6379'], cluster: false, tlsCaFile: undefined });
    expect(redisConfig({ REDIS_CLUSTER: 'true', REDIS_URL: 'rediss://a:1, rediss://b:2/' }, '{blog}').urls).toEqual([
      'rediss://a:1',
      'rediss://b:2',
    ]);
  });

  it.each([
    ['REDIS_CLUSTER', { REDIS_CLUSTER: 'yes' }, '{blog}'],
    ['QUEUE_PREFIX', { REDIS_CLUSTER: 'true' }, 'blog'],
    ['REDIS_URL', { REDIS_URL: 'redis://a:1,redis://b:2' }, 'blog'],
    ['REDIS_URL', { REDIS_URL: 'http://a:1' }, 'blog'],
    ['REDIS_TLS_CA_FILE', { REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' }, 'blog'],
  ])('refuses a bad %s', (variable, env, prefix) => {
    expect(() => redisConfig(env, prefix)).toThrow(ConfigError);
    expect(() => redisConfig(env, prefix)).toThrow(new RegExp(`^${variable}`));
  });

  it('never echoes a password from a bad URL', () => {
    expect(() => redisConfig({ REDIS_URL: 'redis://user:s3cret@:bad' }, 'blog')).toThrow(/^(?!.*s3cret)/);
  });
});

describe('isHashTag', () => {
  it.each([
    ['{blog}', true],
    ['app{blog}', true],
    ['{b}x', true],
    ['blog', false],
    ['{}blog', false],
    ['blog{', false],
  ])('%s: %s', (prefix, expected) => expect(isHashTag(prefix)).toBe(expected));

  it("agrees with Redis Cluster's key hashing: every key under a hash-tag prefix lands in one slot, other prefixes spread", () => {
    const suffixes = Array.from({ length: 8 }, (_, i) => `:queue:${i}`);
    fc.assert(
      // Without an empty "{}": that library hashes it as an empty tag, Redis hashes the whole key (the table above).
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', '{', '}', ':') }).filter((p) => !p.includes('{}')),
        (prefix) => {
          const slots = new Set(suffixes.map((suffix) => calculateSlot(prefix + suffix)));
          expect(slots.size === 1).toBe(isHashTag(prefix));
        },
      ),
    );
  });
});
