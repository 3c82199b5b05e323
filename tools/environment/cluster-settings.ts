import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The production-mode stack's settings as the shell scripts hold them, for the tests that run
 * against it and the one that checks docker-compose.yml: the pinned versions and ports
 * (scripts/lib/stack-env.sh) and the Temporal server's shared settings (docker/temporal/temporal.env).
 */
const repoFile = (path: string) => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');

/** `KEY=value` assignments at the start of a line (shell or env file), comments after a space dropped. */
export function parseAssignments(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=([^\s#]*)/.exec(line);
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}

export const STACK_ENV_FILE = 'scripts/lib/stack-env.sh';
export const TEMPORAL_ENV_FILE = 'docker/temporal/temporal.env';

export interface ClusterSettings extends Record<string, string> {
  TEMPORAL_SERVER_VERSION: string;
  TEMPORAL_UI_VERSION: string;
  CLUSTER_FRONTEND_PORT: string;
  CLUSTER_UI_PORT: string;
  DBNAME: string;
  VISIBILITY_DBNAME: string;
  TEMPORAL_NAMESPACE_RETENTION_HOURS: string;
}

export function clusterSettings(): ClusterSettings {
  const values = { ...parseAssignments(repoFile(STACK_ENV_FILE)), ...parseAssignments(repoFile(TEMPORAL_ENV_FILE)) };
  for (const key of [
    'TEMPORAL_SERVER_VERSION',
    'TEMPORAL_UI_VERSION',
    'CLUSTER_FRONTEND_PORT',
    'CLUSTER_UI_PORT',
    'DBNAME',
    'VISIBILITY_DBNAME',
    'TEMPORAL_NAMESPACE_RETENTION_HOURS',
  ]) {
    if (!values[key]) throw new Error(`${key} is not set in ${STACK_ENV_FILE} or ${TEMPORAL_ENV_FILE}`);
  }
  return values as ClusterSettings;
}

export const CLUSTER_FRONTEND_PORT = Number(clusterSettings().CLUSTER_FRONTEND_PORT);
export const CLUSTER_UI_PORT = Number(clusterSettings().CLUSTER_UI_PORT);
