// swc instead of ts-jest: @octokit/* and @nestjs/terminus 12 are ESM-only and jest on Node 20 cannot require(esm), so those
// packages are transformed to CommonJS along with our TypeScript. Types are checked by `npm run typecheck`.
const esm = ['@nestjs/terminus', '@octokit', 'universal-user-agent', 'before-after-hook', 'content-type', 'fast-content-type-parse', 'json-with-bigint', 'universal-github-app-jwt'];
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
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esm.join('|')})/)`],
  setupFiles: ['<rootDir>/../test/support/quiet-logs.ts'],
};
module.exports = {
  // testTimeout is a global option: jest ignores it inside a project entry, so it is set here for all.
  testTimeout: 60000,
  // Test files run in parallel, each with its own Redis and S3 (test/support/stack.ts). Most of a file's time is
  // spent waiting (quiet windows, restarts), so more workers than cores pays off; TEST_WORKERS overrides.
  maxWorkers: process.env.TEST_WORKERS ?? 4,
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
