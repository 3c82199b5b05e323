import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../tools/environment/child-process';

/**
 * docker-compose.yml's observability services, read as Compose would (no Docker engine here):
 * pinned images, the files they mount exist, and Prometheus scrapes every app process where the
 * process serves its metrics (docs/observability.md "## Dashboards and compose").
 */
interface Service {
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  command?: string[] | string;
}
interface ScrapeConfig {
  job_name: string;
  authorization?: { type: string; credentials_file: string };
  dns_sd_configs?: { names: string[]; port: number }[];
  static_configs?: { targets: string[] }[];
}

// merge: Compose resolves the file's `<<: *app` keys.
const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const prometheusConfig = parse(readFileSync(join(REPO_ROOT, 'docker/prometheus/prometheus.yml'), 'utf8')) as {
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
};
// Where each process serves /metrics by default (the metrics contract; config/env.ts METRICS_PORT).
const METRICS_PORTS: Record<string, number> = { 'saga-worker': 9464, 'outbox-relay': 9465, consumers: 9466, api: 3000 };

describe('docker-compose.yml observability', () => {
  it('pins every image to a version', () => {
    const unpinned = Object.entries(services)
      .filter(([, service]) => service.image && !service.image.startsWith('saga-orchestrator:'))
      .filter(([, service]) => !/:[0-9v][\w.-]*(-[\w.]+)?$/.test(service.image!) || service.image!.endsWith(':latest'))
      .map(([name, service]) => `${name}: ${service.image}`);
    expect(unpinned).toEqual([]);
  });

  it('runs Jaeger, Prometheus and Grafana on loopback-only host ports', () => {
    expect(services.jaeger?.image).toMatch(/^jaegertracing\/jaeger:2\./);
    expect(services.jaeger?.ports).toContain('127.0.0.1:16686:16686');
    // Jaeger v2 listens on localhost unless told otherwise: the app containers could not reach it.
    expect(services.jaeger?.environment).toMatchObject({ JAEGER_LISTEN_HOST: '0.0.0.0' });
    expect(services.prometheus?.ports).toContain('127.0.0.1:9090:9090');
    expect(services.grafana?.ports).toContain('127.0.0.1:3001:3000');
  });

  it("sends every app process's traces to Jaeger over OTLP and opens its metrics port to Prometheus", () => {
    for (const name of ['saga-worker', 'outbox-relay', 'consumers', 'api']) {
      expect(services[name]?.environment, name).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
        METRICS_HOST: '0.0.0.0',
      });
    }
  });

  it('mounts files that exist into Prometheus and Grafana', () => {
    const mounted = ['prometheus', 'grafana'].flatMap((name) =>
      (services[name]?.volumes ?? []).map((volume) => volume.split(':')[0]!).filter((source) => source.startsWith('./')),
    );
    expect(mounted.sort()).toEqual(['./docker/grafana/dashboards', './docker/grafana/provisioning', './docker/prometheus']);
    for (const source of mounted) expect(existsSync(join(REPO_ROOT, source)), source).toBe(true);
    for (const file of [
      'docker/grafana/provisioning/datasources/prometheus.yml',
      'docker/grafana/provisioning/dashboards/saga-orchestrator.yml',
      'docker/grafana/dashboards/saga-orchestrator.json',
    ])
      expect(existsSync(join(REPO_ROOT, file)), file).toBe(true);
  });

  it('Prometheus loads the alert rules and scrapes every app process on its metrics port, the API with the admin token', () => {
    expect(prometheusConfig.rule_files).toEqual(['alerts.yml']);
    const jobs = Object.fromEntries(prometheusConfig.scrape_configs.map((config) => [config.job_name, config]));
    for (const [name, port] of Object.entries(METRICS_PORTS)) {
      expect(services[name], `a ${name} service`).toBeDefined();
      expect(jobs[name]?.dns_sd_configs, name).toEqual([{ names: [name], type: 'A', port }]);
    }
    expect(jobs.api?.authorization).toEqual({ type: 'Bearer', credentials_file: '/tmp/saga/admin-token' });
    // The compose entrypoint writes that file: ADMIN_TOKEN, else the API's generated token in api-local.
    const script = [services.prometheus?.command].flat().join('\n');
    expect(script).toContain('/tmp/saga/admin-token');
    expect(services.prometheus?.volumes).toContain('api-local:/run/saga:ro');
    expect(services.api?.volumes).toContain('api-local:/home/node/.local');
  });

  it("Grafana's dashboard reads the provisioned datasource", () => {
    const datasource = parse(readFileSync(join(REPO_ROOT, 'docker/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: { uid: string; url: string }[];
    };
    expect(datasource.datasources).toEqual([expect.objectContaining({ uid: 'prometheus', url: 'http://prometheus:9090' })]);
    const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'docker/grafana/dashboards/saga-orchestrator.json'), 'utf8')) as {
      panels: { type: string; datasource?: { uid: string } }[];
    };
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(panels.length).toBeGreaterThan(10);
    expect(panels.filter((panel) => panel.datasource?.uid !== 'prometheus')).toEqual([]);
  });
});
