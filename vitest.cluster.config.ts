import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * The tests against the production-mode stack (`npm run test:cluster`: STACK=cluster brings it up
 * and points TEMPORAL_ADDRESS at it). The settings of `npm test`, global setup included; only test/cluster/.
 */
export default defineConfig({
  test: { ...base.test, include: ['test/cluster/**/*.test.ts'], exclude: ['node_modules/**'] },
});
