import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Redis, RedisOptions } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { UnavailableError } from '../common/domain-errors';
import { LuaScript, scriptArguments } from './lua-script';

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/** Reconnect forever with a capped delay: a Redis restart must not need a service restart. Shared with BullMQ's connections. */
export function reconnectDelay(times: number): number {
  return Math.min(50 * 2 ** Math.min(times, 6), 2_000);
}

/** ioredis options shared by every connection the service opens itself. */
export function redisOptions(): RedisOptions {
  return { retryStrategy: reconnectDelay, enableReadyCheck: true };
}

/**
 * The service's own Redis connection (BullMQ keeps its own): short keys for locks and counters.
 * Commands fail fast while Redis is away, so a write is refused with 503 before anything reaches S3.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  readonly client: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.client = new Redis(config.redisUrl, {
      ...redisOptions(),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectionName: 'blog-api',
    });
    this.client.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
  }

  /**
   * Commands fail fast while disconnected (no offline queue), so wait for the first connection before the
   * app takes requests. A Redis that is down at start does not stop the service: writes answer 503 until it is back.
   */
  async onModuleInit(): Promise<void> {
    if (!(await this.waitUntilReady(5_000))) this.logger.error(`Redis at ${new URL(this.config.redisUrl).host} is not reachable yet: content writes answer 503 until it is`);
  }

  /** Every key the service writes goes through here, so QUEUE_PREFIX (a Cluster hash tag, say) applies to all. */
  key(...parts: string[]): string {
    return [this.config.queuePrefix, ...parts].join(':');
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  /** Waits for the first connection (at most `timeoutMs`); a later outage is survived by reconnecting. */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    const ready = new Promise<boolean>((resolve) => this.client.once('ready', () => resolve(true)));
    return Promise.race([ready, sleep(timeoutMs, false, { ref: false })]);
  }

  /**
   * Runs `work` while holding a short lock on `name` across every process on this Redis.
   * Used to serialize writes per S3 key where the S3 server ignores conditional headers.
   * The lock is renewed while `work` runs (a slow S3 call can outlast the TTL, and the next writer must
   * not start meanwhile); the TTL only frees the key of a process that died holding it.
   */
  async withLock<T>(name: string, work: () => Promise<T>, { ttlMs = 15_000, waitMs = 10_000 } = {}): Promise<T> {
    const held = await this.acquire(name, ttlMs, waitMs);
    if (held === null) throw new UnavailableError('the item is busy with other edits: try again in a moment');
    return this.holding(held, ttlMs, work);
  }

  /** Like withLock, but gives up at once (null) when another process holds the lock: for work one instance at a time does. */
  async tryWithLock<T>(name: string, work: () => Promise<T>, { ttlMs = 15_000 } = {}): Promise<{ value: T } | null> {
    const held = await this.acquire(name, ttlMs, 0);
    return held === null ? null : { value: await this.holding(held, ttlMs, work) };
  }

  private async acquire(name: string, ttlMs: number, waitMs: number): Promise<{ key: string; token: string } | null> {
    const key = this.key('lock', name);
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    while ((await this.command(() => this.client.set(key, token, 'PX', ttlMs, 'NX'))) !== 'OK') {
      if (Date.now() >= deadline) return null;
      await sleep(5 + Math.random() * 20);
    }
    return { key, token };
  }

  private async holding<T>({ key, token }: { key: string; token: string }, ttlMs: number, work: () => Promise<T>): Promise<T> {
    const renewal = setInterval(() => {
      this.client.eval(EXTEND_LOCK, 1, key, token, ttlMs).catch((error: Error) => this.logger.warn(`lock renewal: ${error.message}`));
    }, Math.max(10, Math.floor(ttlMs / 3)));
    renewal.unref();
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      await this.client.eval(RELEASE_LOCK, 1, key, token).catch((error: Error) => this.logger.warn(`lock release: ${error.message}`));
    }
  }

  private readonly defined = new Map<string, string>();

  /** Runs a `.lua` script with named keys and arguments (EVALSHA through defineCommand). `action` says what failed. */
  async run<K extends string, A extends string>(script: LuaScript<K, A>, keys: Record<K, string>, args: Record<A, string | number>, action: string): Promise<unknown> {
    if (!this.defined.has(script.command)) {
      this.client.defineCommand(script.command, { numberOfKeys: script.keys.length, lua: script.lua });
      this.defined.set(script.command, script.lua);
    }
    const command = (this.client as unknown as Record<string, ScriptCommand>)[script.command].bind(this.client);
    try {
      return await command(...scriptArguments(script, keys, args));
    } catch (error) {
      this.logger.warn(`${action} (Redis said: ${(error as Error).message})`);
      throw new UnavailableError(`${action}: the queue store (Redis) is unavailable, try again shortly`);
    }
  }

  /** Runs a Redis command, turning a connection failure into a 503 the client can retry. */
  async command<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.logger.warn(`Redis unavailable: ${(error as Error).message}`);
      throw new UnavailableError('the queue store (Redis) is unavailable: nothing was saved, try again shortly');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
