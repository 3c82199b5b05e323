import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { DbProcess } from '../../db/login-roles';
import { composeRabbitmqScript } from '../../scripts/least-privilege';
import { REPO_ROOT } from '../../tools/environment/child-process';
import { PROCESS_USERS } from '../../workers/process-credentials';

/**
 * docker-compose.yml's least privilege, read as Compose would (no Docker engine here), against
 * the code that makes the same users locally (docs/operations.md "## Least privilege"): each app
 * service logs in as its own user, with the passwords migrate and rabbitmq set, and
 * docker/rabbitmq/users.sh is exactly what messaging/broker-permissions.ts generates.
 */
interface Service {
  environment?: Record<string, string>;
  command?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
const composeText = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
const services = (parse(composeText, { merge: true }) as { services: Record<string, Service> }).services;
const APPS = Object.keys(PROCESS_USERS) as DbProcess[];

/** The user, and the variable its password comes from, in a URL like `postgres://user:${VAR:-default}@host/db`. */
function credentialsOf(url: string | undefined): { user: string; passwordVariable: string | undefined } {
  const match = /^[a-z]+:\/\/([^:@]+):([^@]*)@/.exec(url ?? '');
  if (!match) throw new Error(`no user in ${url}`);
  return { user: match[1]!, passwordVariable: /^\$\{(\w+)/.exec(match[2]!)?.[1] };
}

describe('docker-compose.yml least privilege', () => {
  it('runs each app service as its own PostgreSQL login, with the password migrate gives it', () => {
    const migrate = services.migrate!.environment!;
    for (const app of APPS) {
      const { user, passwordVariable } = credentialsOf(services[app]?.environment?.DATABASE_URL);
      expect(user, app).toBe(PROCESS_USERS[app].database);
      expect(passwordVariable, app).toBe(`${PROCESS_USERS[app].envPrefix}_DB_PASSWORD`);
      // The same default on both sides, else a fresh `compose up` fails to log in.
      expect(services[app]!.environment!.DATABASE_URL, app).toContain(migrate[passwordVariable!]!);
    }
    expect(services.migrate!.command!.join(' ')).toMatch(/db\/prepare\.ts && .*scripts\/least-privilege\.ts --compose$/);
    expect(credentialsOf(migrate.DATABASE_URL).user).toBe('saga');
  });

  it('runs each app service that uses the broker as its own RabbitMQ user, and the saga worker as none', () => {
    const rabbitmq = services.rabbitmq!.environment!;
    for (const app of APPS) {
      const { user, passwordVariable } = credentialsOf(services[app]?.environment?.AMQP_URL);
      const own = PROCESS_USERS[app].broker;
      if (own === undefined) {
        expect(user, app).toBe('no-broker-access');
        continue;
      }
      expect(user, app).toBe(own);
      expect(passwordVariable, app).toBe(`${PROCESS_USERS[app].envPrefix}_AMQP_PASSWORD`);
      expect(services[app]!.environment!.AMQP_URL, app).toContain(rabbitmq[passwordVariable!]!);
    }
  });

  it('makes the broker users with the permissions the code generates, before any app service connects', () => {
    expect(readFileSync(join(REPO_ROOT, 'docker/rabbitmq/users.sh'), 'utf8')).toBe(composeRabbitmqScript());
    expect(services.rabbitmq!.command).toEqual(['sh', '/opt/saga/server-with-users.sh']);
    expect(services.rabbitmq!.volumes).toContain('./docker/rabbitmq:/opt/saga:ro');
    expect(services.rabbitmq!.healthcheck!.test.join(' ')).toContain('/tmp/saga-users-applied');
    // The permissions name compose's exchange and queues: the defaults the script generates for.
    expect(services['outbox-relay']!.environment!.EVENTS_EXCHANGE).toBe('orders.events');
    expect(services.consumers!.environment!.CONSUMER_QUEUE_PREFIX).toBeUndefined();
    // Their users may not declare: migrate, the topology's owner, does, once rabbitmq is up.
    for (const app of ['outbox-relay', 'consumers']) expect(services[app]!.environment!.DECLARE_TOPOLOGY, app).toBe('0');
    expect(services.migrate!.depends_on).toMatchObject({ rabbitmq: { condition: 'service_healthy' } });
  });
});
