// swc instead of ts-jest: @octokit/* and @nestjs/terminus 12 are ESM-only and jest on Node 20 cannot require(esm), so those
// packages are transformed to CommonJS along with our TypeScript. Types are checked by `npm run typecheck`.
const esm = [
  '@nestjs/terminus',
  '@octokit',
  'universal-user-agent',
  'before-after-hook',
  'content-type',
  'fast-content-type-parse',
  'json-with-bigint',
  'universal-github-app-jwt',
];
const transform = {
  '^.+\\.(t|j)s$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ],
};
// @octokit/webhooks-methods exports only an `import` entry, which jest's CommonJS resolver does not match.
const moduleNameMapper = {
  '^@octokit/webhooks-methods$': `${__dirname}/node_modules/@octokit/webhooks-methods/dist-node/index.js`,
};
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  moduleNameMapper,
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esm.join('|')})/)`],
  setupFiles: ['<rootDir>/../test/support/quiet-logs.ts'],
};
module.exports = {
  // testTimeout is a global option: jest ignores it inside a project entry, so it is set here for all.
  testTimeout: 60000,
  // Test files run in parallel, one per core, each with its own Redis and S3 (test/support/stack.ts). More workers
  // than cores was slower on a busy 2-core machine, and burst tests then saw edits straggle past their quiet
  // window; TEST_WORKERS overrides.
  maxWorkers: process.env.TEST_WORKERS ?? '100%',
  // How long jest waits for a worker to exit once told to, before killing it and warning of a leak. Workers here
  // exit within milliseconds with nothing open but stdio (checked with a watcher in each), but on 2 busy cores
  // jest itself noticed that too late for the 500 ms default, and warned of a leak there was not. A real leak
  // holds a worker forever, so it is still killed and reported.
  workerGracefulExitTimeout: 5000,
  projects: [
    { ...common, displayName: 'unit', rootDir: 'src', testRegex: '.*\\.spec\\.ts$' },
    {
      ...common,
      displayName: 'e2e',
      rootDir: '.',
      roots: ['<rootDir>/test'],
      testRegex: '.*\\.e2e-spec\\.ts$',
      setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
      // Decides once per run between containers and local backends, and removes the run's leftover containers.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
