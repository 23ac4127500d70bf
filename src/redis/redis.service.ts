import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnavailableError } from '../common/domain-errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { LuaScript, loadLuaScript, scriptArguments } from './lua-script';
import { classifyRedisError, RedisCommandError, troubleKey } from './redis-errors';
import { RepeatedLog } from '../common/repeated-log';
import { RedisConnection, openRedis, redisDisplayName } from './redis-connection';
import { within } from '../common/within';

const LUA = join(__dirname, 'lua');
/** Every script of the service takes milliseconds; one unanswered for this long means Redis is away (503). */
export const COMMAND_TIMEOUT_MS = 3_000;
const ACQUIRE = loadLuaScript(LUA, 'acquire-lock', ['lock'], ['token', 'ttlMs']);
const EXTEND = loadLuaScript(LUA, 'extend-lock', ['lock'], ['token', 'ttlMs']);
const RELEASE = loadLuaScript(LUA, 'release-lock', ['lock'], ['token']);

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

/**
 * The service's own Redis connection (BullMQ keeps its own), and the only code that talks to it: features
 * run their `.lua` scripts through `run` and take locks through `withLock`; nobody gets the raw client.
 * Commands fail fast while Redis is away, so a write is refused with 503 before anything reaches S3.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  private readonly repeated = new RepeatedLog(this.logger);
  private readonly client: RedisConnection;
  private readonly defined = new Map<string, string>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.client = openRedis(config, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // A command already sent when Redis vanished is otherwise held for a reconnection, which to a host that
      // is gone (not refusing) waits out a 10 s connect timeout, once or twice: the write would hang that long.
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectionName: 'blog-api',
    });
    this.client.on('error', (error: Error) => this.repeated.warn(`Redis: ${error.message}`, troubleKey(error)));
  }

  /**
   * Commands fail fast while disconnected (no offline queue), so wait for the first connection before the
   * app takes requests. A Redis that is down at start does not stop the service: writes answer 503 until it is back.
   */
  async onModuleInit(): Promise<void> {
    if (!(await this.waitUntilReady(5_000)))
      this.logger.error(
        `Redis at ${redisDisplayName(this.config)} is not reachable yet: content writes answer 503 until it is`,
      );
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
    return within(ready, timeoutMs, () => false);
  }

  /**
   * Runs a script with named keys and arguments (ordered as its header declares them). Registered on first
   * use with `defineCommand`: EVALSHA, and the script body again if Redis answers NOSCRIPT (after a restart).
   * `action` says what failed, for the caller and the log: "saving the change failed, nothing was saved".
   */
  async run<K extends string, A extends string>(
    script: LuaScript<K, A>,
    keys: Record<K, string>,
    args: Record<A, string | number>,
    action: string,
  ): Promise<unknown> {
    try {
      return await this.command(script)(...scriptArguments(script, keys, args));
    } catch (error) {
      const reply = (error as Error).message;
      const failure = new RedisCommandError(classifyRedisError(error), action, reply);
      this.repeated.warn(`${failure.message} (Redis said: ${reply})`, troubleKey(failure));
      throw failure;
    }
  }

  private command(script: LuaScript): ScriptCommand {
    const known = this.defined.get(script.command);
    if (known === undefined) {
      this.client.defineCommand(script.command, { numberOfKeys: script.keys.length, lua: script.lua });
      this.defined.set(script.command, script.lua);
    } else if (known !== script.lua) {
      throw new Error(`two different scripts are named ${script.command}`);
    }
    const commands = this.client as unknown as Record<string, ScriptCommand>;
    return commands[script.command].bind(this.client);
  }

  /**
   * Runs `work` while holding a short lock on `name` across every process on this Redis.
   * Used to serialize writes per S3 key where the S3 server ignores conditional headers.
   * The lock is renewed while `work` runs (a slow S3 call can outlast the TTL, and the next writer must
   * not start meanwhile); the TTL only frees the key of a process that died holding it.
   */
  async withLock<T>(name: string, work: () => Promise<T>, { ttlMs = 15_000, waitMs = 10_000 } = {}): Promise<T> {
    const held = await this.acquire(name, ttlMs, waitMs, 'Nothing was saved: the edit lock could not be taken');
    if (held === null) throw new UnavailableError('the item is busy with other edits: try again in a moment');
    return this.holding(held, ttlMs, work);
  }

  /** Like withLock, but gives up at once (null) when another process holds the lock: for work one instance at a time does. */
  async tryWithLock<T>(name: string, work: () => Promise<T>, { ttlMs = 15_000 } = {}): Promise<{ value: T } | null> {
    const held = await this.acquire(name, ttlMs, 0, `The ${name} lock could not be taken`);
    return held === null ? null : { value: await this.holding(held, ttlMs, work) };
  }

  private async acquire(
    name: string,
    ttlMs: number,
    waitMs: number,
    action: string,
  ): Promise<{ key: string; token: string } | null> {
    const key = this.key('lock', name);
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    while ((await this.run(ACQUIRE, { lock: key }, { token, ttlMs }, action)) !== 1) {
      if (Date.now() >= deadline) return null;
      await sleep(5 + Math.random() * 20);
    }
    return { key, token };
  }

  private async holding<T>(
    { key, token }: { key: string; token: string },
    ttlMs: number,
    work: () => Promise<T>,
  ): Promise<T> {
    const renewal = setInterval(
      () => {
        this.run(EXTEND, { lock: key }, { token, ttlMs }, 'A lock could not be renewed').catch(() => undefined);
      },
      Math.max(10, Math.floor(ttlMs / 3)),
    );
    renewal.unref();
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      // Failing to release only delays the next holder until the TTL frees the key.
      await this.run(
        RELEASE,
        { lock: key },
        { token },
        'A lock could not be released (it frees itself within seconds)',
      ).catch(() => undefined);
    }
  }

  /** Drops the connection at once, without waiting for replies (what a killed process does). */
  disconnect(): void {
    this.client.disconnect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
