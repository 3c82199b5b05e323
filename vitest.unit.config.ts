import { defineConfig } from 'vitest/config';

/**
 * The fast tier: pure functions, and the HTTP app through app.request() over fakes of the
 * SagaClient and the API's store (test/support/fake-api.ts); no PostgreSQL, RabbitMQ or Temporal,
 * so no global setup (that one builds a template database and the workflow bundle). `npm test`
 * runs these too.
 */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
