import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { createApp } from './app.factory';
import { AppConfig } from './config/app-config';
import { ConfigError } from './config/config-error';
import { loadConfig } from './config/load-config';
import { ShutdownOptions, exitGracefullyOnSignals } from './lifecycle/shutdown-signals';

/** Reads .env into the environment; variables already set win. */
export function loadDotEnv(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
}

/** Parses the environment (and .env), or ends the process with one line naming the variable. */
export function configFromEnvironment(): AppConfig {
  loadDotEnv();
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(1);
  }
}

export async function serve(config: AppConfig, shutdown: ShutdownOptions = {}): Promise<string> {
  const app = await createApp(config);
  exitGracefullyOnSignals(app, shutdown);
  await app.listen(config.port);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  if (config.role === 'worker')
    new Logger('Main').log(`deploy worker (APP_ROLE=worker): health probes on ${url}/health and ${url}/health/ready`);
  else new Logger('Main').log(`API ${url}  docs ${url}/docs  dashboard ${url}/admin/queues  (APP_ROLE=${config.role})`);
  return url;
}

if (require.main === module) {
  serve(configFromEnvironment()).catch((error: unknown) => {
    process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
