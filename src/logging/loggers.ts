import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import { HttpLogger, Options as HttpLoggerOptions, pinoHttp } from 'pino-http';
import pinoPretty from 'pino-pretty';
import type { SerializedRequest } from 'pino-std-serializers';
import { AppConfig } from '../config/app-config';
import { REDACTED, redactPaths, redactQuery, redactSecrets, redactUrl } from './redaction';
import { requestId } from './request-id';

/**
 * Successful requests to these are logged at debug, not info: probes hit /health every few seconds
 * and the dashboard polls its own API, which would bury the lines a person is looking for.
 */
const CHATTY_PATHS = /^\/(?:health(?:\/ready)?|admin\/queues(?:\/.*)?)(?:\?.*)?$/;

/** Nest's start-up inventory (one line per module and route): shown only when LOG_LEVEL is debug or lower. */
const STARTUP_INVENTORY = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

function isStartupInventory(first: unknown): boolean {
  const context = (first as { context?: unknown } | null)?.context;
  return typeof context === 'string' && STARTUP_INVENTORY.has(context);
}

/** The root logger: JSON lines on stdout in production, readable lines in development. */
export function createRootLogger(
  config: Pick<AppConfig, 'production' | 'logLevel' | 'role'>,
  destination?: DestinationStream,
): Logger {
  const options: LoggerOptions = {
    level: config.logLevel,
    base: { pid: process.pid, hostname: hostname(), role: config.role },
    redact: { paths: redactPaths(), censor: REDACTED },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names ("info"), not numbers, so a log search needs no lookup table.
    formatters: {
      level: (label) => ({ level: label }),
      // Secret-named fields at any depth: one walk of the object per line (path wildcards cost ~4 % of a request).
      log: (object) => redactSecrets(object),
      bindings: (bindings) => redactSecrets(bindings),
    },
    hooks: {
      logMethod(args, write) {
        if (isStartupInventory(args[0]) && !this.isLevelEnabled('debug')) return;
        write.apply(this, args);
      },
    },
  };
  if (destination) return pino(options, destination);
  if (config.production) return pino(options);
  return pino(options, prettyStream());
}

let pretty: DestinationStream | undefined;

/**
 * One pretty printer per process, in the main thread (a transport would start a worker thread per app,
 * which tests that boot many apps would have to stop). Sync so a crash does not lose the last lines.
 */
function prettyStream(): DestinationStream {
  pretty ??= pinoPretty({
    sync: true,
    colorize: process.stdout.isTTY,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,role,context,requestId,req,res,responseTime',
    messageFormat: '{if context}[{context}] {end}{msg}{if requestId}  ({requestId}){end}',
  });
  return pretty;
}

const pathOf = (req: IncomingMessage): string =>
  (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';

/**
 * Request logging: one line per request when its response ends, carrying `requestId` (also on every
 * line logged while the request is handled), method, URL (credential-like query values masked),
 * status and time.
 */
export function createHttpLogger(logger: Logger): HttpLogger {
  const options: HttpLoggerOptions = {
    logger,
    genReqId: requestId,
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    serializers: {
      req: (req: SerializedRequest) => ({ ...req, url: redactUrl(req.url), query: redactQuery(req.query) }),
    },
    customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) => {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return CHATTY_PATHS.test(pathOf(req)) ? 'debug' : 'info';
    },
    customSuccessMessage: (req, res, ms) => `${req.method} ${redactUrl(pathOf(req))} ${res.statusCode} ${ms}ms`,
    customErrorMessage: (req, res, error) =>
      `${req.method} ${redactUrl(pathOf(req))} ${res.statusCode} ${error.message}`,
  };
  return pinoHttp(options);
}
