import { Hono } from 'hono';
import { requireAdmin } from '../auth/require-caller';
import type { ApiEnv } from '../hono-env';
import { scrape } from '../../telemetry/metrics-server';
import { collectProcessMetrics, metricsRegistry } from '../../telemetry/metrics-registry';

/**
 * GET /metrics: this API process's metrics in Prometheus text format, for the operator's
 * Prometheus (admin credential). Not an OpenAPI operation: it is for operators, not API clients.
 */
export function metricsRoutes() {
  collectProcessMetrics();
  return new Hono<ApiEnv>().get('/metrics', requireAdmin(), async (c) =>
    c.body(await scrape(), 200, { 'Content-Type': metricsRegistry.contentType }),
  );
}
