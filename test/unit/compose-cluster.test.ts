import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../tools/environment/child-process';
import { clusterSettings, parseAssignments, TEMPORAL_ENV_FILE } from '../../tools/environment/cluster-settings';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { ENV_NAMES } from '../../config/env';

/**
 * docker-compose.yml runs what the production-mode stack (STACK=cluster, scripts/lib/cluster.sh)
 * runs here: the same Temporal server and UI versions, the same server settings
 * (docker/temporal/temporal.env, dynamic config), the same namespace setup and search attributes,
 * and app processes configured through the same environment variables.
 */
interface Service {
  image?: string;
  env_file?: string | string[];
  environment?: Record<string, string>;
  volumes?: string[];
  command?: string[];
}
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const services = (parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> }).services;
const settings = clusterSettings();
const shared = parseAssignments(read(TEMPORAL_ENV_FILE));
const version = (image: string | undefined) => /:v?(\d+\.\d+\.\d+)/.exec(image ?? '')?.[1];
/** The environment variable names a Go template config reads with sprig's `env "NAME"`. */
const templateEnvNames = (path: string) => new Set([...read(path).matchAll(/env "([A-Z0-9_]+)"/g)].map((match) => match[1]!));
const SERVER_CONFIG = 'docker/temporal/config/cluster.yaml';
const UI_CONFIG = 'docker/temporal/ui/cluster.yaml';
const TEMPORAL_SERVICES = ['temporal-schema', 'temporal', 'temporal-setup'];

describe('docker-compose.yml against the production-mode stack', () => {
  it('pins the Temporal server, admin tools and UI at the versions the stack builds', () => {
    expect(`v${version(services.temporal?.image)}`).toBe(settings.TEMPORAL_SERVER_VERSION);
    expect(`v${version(services['temporal-schema']?.image)}`).toBe(settings.TEMPORAL_SERVER_VERSION);
    expect(`v${version(services['temporal-setup']?.image)}`).toBe(settings.TEMPORAL_SERVER_VERSION);
    expect(`v${version(services['temporal-ui']?.image)}`).toBe(settings.TEMPORAL_UI_VERSION);
  });

  it("gives every Temporal service the stack's shared settings file and overrides none of it", () => {
    for (const name of TEMPORAL_SERVICES) {
      expect(services[name]?.env_file, name).toBe(`./${TEMPORAL_ENV_FILE}`);
      const overridden = Object.keys(services[name]?.environment ?? {}).filter((key) => key in shared);
      expect(overridden, name).toEqual([]);
    }
  });

  it("configures the server through names the local server's config template reads too", () => {
    const serverReads = templateEnvNames(SERVER_CONFIG);
    const serverNames = [...Object.keys(services.temporal?.environment ?? {}), ...Object.keys(shared)];
    // Read by the namespace setup (setup-namespace.sh), not by the server.
    const forSetup = new Set(['TEMPORAL_NAMESPACE', 'TEMPORAL_NAMESPACE_RETENTION_HOURS']);
    expect(serverNames.filter((name) => !forSetup.has(name) && !serverReads.has(name))).toEqual([]);
    // The same dynamic config file, mounted into the image where the local server reads it in place.
    expect(services.temporal?.volumes).toContain('./docker/temporal/dynamicconfig:/etc/temporal/config/dynamicconfig:ro');
    expect(services.temporal?.environment?.DYNAMIC_CONFIG_FILE_PATH).toBe('config/dynamicconfig/development-sql.yaml');
    expect(read('scripts/lib/cluster.sh')).toContain('DYNAMIC_CONFIG_FILE_PATH="$PWD/docker/temporal/dynamicconfig/development-sql.yaml"');
  });

  it('points the UI at the server through the names the local UI config reads', () => {
    const uiReads = templateEnvNames(UI_CONFIG);
    const uiNames = Object.keys(services['temporal-ui']?.environment ?? {});
    expect(uiNames.filter((name) => !uiReads.has(name))).toEqual([]);
    expect(services['temporal-ui']?.environment).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_DEFAULT_NAMESPACE: shared.TEMPORAL_NAMESPACE,
    });
  });

  it('sets up schema, namespace, retention and search attributes with the scripts the stack runs', () => {
    expect(services['temporal-schema']?.command).toEqual(['/opt/saga/setup-schema.sh']);
    expect(services['temporal-setup']?.command).toEqual(['/opt/saga/setup-namespace.sh']);
    for (const name of ['temporal-schema', 'temporal-setup'])
      expect(services[name]?.volumes, name).toContain('./docker/temporal:/opt/saga:ro');
    const cluster = read('scripts/lib/cluster.sh');
    expect(cluster).toContain('sh docker/temporal/setup-schema.sh');
    expect(cluster).toContain('sh docker/temporal/setup-namespace.sh');
    expect(Number(settings.TEMPORAL_NAMESPACE_RETENTION_HOURS)).toBeGreaterThan(0);
    // The one list both register: the workflow's search attributes, Name=Type.
    const listed = read('docker/temporal/search-attributes.txt')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split('=')[0]);
    expect(listed).toEqual(SEARCH_ATTRIBUTES.map((key) => key.name));
  });

  it('gives the app processes only settings config/env.ts reads, TEMPORAL_ADDRESS among them as on the stack', () => {
    const known = new Set(ENV_NAMES);
    for (const name of ['saga-worker', 'outbox-relay', 'consumers', 'api', 'migrate']) {
      const unknown = Object.keys(services[name]?.environment ?? {}).filter((key) => !known.has(key) && !key.startsWith('OTEL_'));
      expect(unknown, name).toEqual([]);
      expect(services[name]?.environment?.TEMPORAL_ADDRESS, name).toBe('temporal:7233');
    }
    // STACK=cluster sets the same two names for the local processes (scripts/lib/stack-env.sh).
    expect(read('scripts/lib/stack-env.sh')).toMatch(/export TEMPORAL_ADDRESS=.*\n\s*export TEMPORAL_UI_URL=/);
  });
});
