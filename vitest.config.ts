import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: suites that start real servers and ONNX sessions run best a couple at a time.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // every answer of every test is checked against its URI's declared output schema and error codes
    // (functions/lib/define.ts): an answer that drifts from the API description fails its test
    env: { VALIDATE_RESPONSES: '1' },
    // the console is served by the host the tests start: built first when stale
    globalSetup: ['./test/support/console-build.ts'],
  },
});
