import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger';
import { collectProcessMetrics, metricsRegistry } from './metrics-registry';

export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port; the "metrics listening" log line says which (field metricsPort). */
  port: number;
  log: Logger;
  /** More Prometheus text appended to each scrape (the Temporal SDK's runtime metrics); '' when it has none. */
  appendix?: () => Promise<string>;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** GET /metrics of this process's registry on its own port: the worker, relay and consumers processes. */
export async function startMetricsServer({ host, port, log, appendix }: MetricsServerOptions): Promise<MetricsServer> {
  collectProcessMetrics();
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    void scrape(appendix).then(
      (text) => response.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
      (error: unknown) => {
        log.error({ err: error }, 'metrics scrape failed');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics scrape failed\n');
      },
    );
  });
  server.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const actual = (server.address() as AddressInfo).port;
  log.info({ metricsPort: actual, url: `http://${host}:${actual}/metrics` }, 'metrics listening');
  return {
    port: actual,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The registry's text, then the appendix's. */
export async function scrape(appendix?: () => Promise<string>): Promise<string> {
  const own = await metricsRegistry.metrics();
  const more = appendix ? await appendix() : '';
  return more ? `${own}\n${more}` : own;
}
