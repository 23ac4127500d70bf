import { Logger } from '@nestjs/common';

// Classes used without an app (unit tests, clients built by hand) log through Nest's default console logger;
// a passing run prints nothing of the code under test. `LOG_LEVEL=debug npx jest ...` shows it again.
if (!process.env.LOG_LEVEL) Logger.overrideLogger(false);
