import { defineConfig } from 'vitest/config';

/**
 * The tests against the production-mode stack (`npm run test:cluster`: STACK=cluster brings it up
 * and points TEMPORAL_ADDRESS at it). The settings of vitest.config.ts (not imported: Vite's native
 * config loader will refuse an extensionless import, and tsc one with an extension); only test/cluster/.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
