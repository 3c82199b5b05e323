import { defineConfig } from 'vitest/config';

/**
 * The fast tier: pure functions only, no PostgreSQL, RabbitMQ or Temporal, so no global setup
 * (that one builds a template database and the workflow bundle). `npm test` runs these too.
 */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
