import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from './metrics-registry';

const LABELS = ['method', 'route', 'status_code'] as const;

export const httpRequests = new Counter({
  name: 'http_server_requests_total',
  help: 'API requests answered, by method, matched route pattern and status code',
  labelNames: LABELS,
  registers: [metricsRegistry],
});

export const httpRequestDuration = new Histogram({
  name: 'http_server_request_duration_seconds',
  help: 'Time to answer an API request (to the response head: an event stream goes on after it)',
  labelNames: LABELS,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/** The route label of a request that matched no route: one value, so unknown paths cannot grow the label set. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Counts and times every request by its matched route pattern (`/orders/:id`), never the raw
 * path. The last matched route is the handler's; a request that only app-wide middleware
 * matched (a 404) is `unmatched`. Registered first, so it times the other middleware too.
 */
export function httpMetrics(): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = routePath(c, -1);
      const labels = {
        method: c.req.method,
        route: route === '/*' || route === '*' || route === '' ? UNMATCHED_ROUTE : route,
        status_code: String(c.res.status),
      };
      httpRequests.inc(labels);
      httpRequestDuration.observe(labels, (performance.now() - started) / 1000);
    }
  };
}
