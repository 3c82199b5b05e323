import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import type { AppConfig } from '../config/env';
import { shippedConsumers } from '../consumers/shipped-consumers';
import { asUser, type DbProcess } from '../db/login-roles';
import { brokerPermissions, type BrokerPermissions, type BrokerProcess } from '../messaging/broker-permissions';
import { retryPolicyFrom } from '../messaging/consumer-settings';
import { assertConsumerTopology, consumerQueuesOf } from '../messaging/consumer-topology';
import { assertEventsTopology } from '../messaging/topology';
import { localSecret } from './local-secret';

/**
 * Least privilege (docs/operations.md "## Least privilege"): the users each app process logs in
 * as. PostgreSQL logins are members of the process's group role (migration 0010); the saga
 * worker has no broker user, since it never talks to the broker.
 */
export const PROCESS_USERS: Record<DbProcess, { database: string; broker?: string; envPrefix: string }> = {
  'saga-worker': { database: 'app_saga_worker', envPrefix: 'SAGA_WORKER' },
  'outbox-relay': { database: 'app_outbox_relay', broker: 'outbox-relay', envPrefix: 'OUTBOX_RELAY' },
  consumers: { database: 'app_consumers', broker: 'consumers', envPrefix: 'CONSUMERS' },
  api: { database: 'app_api', broker: 'api', envPrefix: 'API' },
};

export const BROKER_PROCESSES = ['outbox-relay', 'consumers', 'api'] as const satisfies readonly BrokerProcess[];

const fromRoot = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** A broker user's password on this machine: generated once into .local/ (0600), like the JWT secret. */
export const localBrokerPassword = (user: string): string =>
  localSecret(fromRoot(`.local/rabbitmq-${user}-password`), { bytes: 24, minLength: 24, what: `the RabbitMQ password file of ${user}` })
    .secret;

export interface ProcessUrls {
  DATABASE_URL: string;
  AMQP_URL: string;
}

type UrlSettings = Pick<
  AppConfig,
  | 'DATABASE_URL'
  | 'AMQP_URL'
  | 'LEAST_PRIVILEGE'
  | 'SAGA_WORKER_DATABASE_URL'
  | 'OUTBOX_RELAY_DATABASE_URL'
  | 'OUTBOX_RELAY_AMQP_URL'
  | 'CONSUMERS_DATABASE_URL'
  | 'CONSUMERS_AMQP_URL'
  | 'API_DATABASE_URL'
  | 'API_AMQP_URL'
>;

const OWN_URLS: Record<DbProcess, (config: UrlSettings) => Partial<ProcessUrls>> = {
  'saga-worker': (c) => ({ DATABASE_URL: c.SAGA_WORKER_DATABASE_URL }),
  'outbox-relay': (c) => ({ DATABASE_URL: c.OUTBOX_RELAY_DATABASE_URL, AMQP_URL: c.OUTBOX_RELAY_AMQP_URL }),
  consumers: (c) => ({ DATABASE_URL: c.CONSUMERS_DATABASE_URL, AMQP_URL: c.CONSUMERS_AMQP_URL }),
  api: (c) => ({ DATABASE_URL: c.API_DATABASE_URL, AMQP_URL: c.API_AMQP_URL }),
};

/**
 * The URLs `process` connects with: its own (`SAGA_WORKER_DATABASE_URL`, `OUTBOX_RELAY_AMQP_URL`
 * …) when set; else, with LEAST_PRIVILEGE, the admin URLs with the process's own local users
 * (PostgreSQL trusts 127.0.0.1 on the project's machine, so no password; RabbitMQ's from
 * .local/); else the shared DATABASE_URL and AMQP_URL.
 */
export function processUrls(process: string, config: UrlSettings): ProcessUrls {
  if (!(process in PROCESS_USERS)) return { DATABASE_URL: config.DATABASE_URL, AMQP_URL: config.AMQP_URL };
  const users = PROCESS_USERS[process as DbProcess];
  const own = OWN_URLS[process as DbProcess](config);
  // The saga worker gets a broker user that does not exist: were it ever to connect, it would be refused.
  const brokerUser = users.broker ?? 'no-broker-access';
  const least: Partial<ProcessUrls> = config.LEAST_PRIVILEGE
    ? {
        DATABASE_URL: asUser(config.DATABASE_URL, users.database),
        AMQP_URL: asUser(config.AMQP_URL, brokerUser, users.broker ? localBrokerPassword(users.broker) : 'none'),
      }
    : {};
  return {
    DATABASE_URL: own.DATABASE_URL ?? least.DATABASE_URL ?? config.DATABASE_URL,
    AMQP_URL: own.AMQP_URL ?? least.AMQP_URL ?? config.AMQP_URL,
  };
}

/** Each broker user's permissions for this configuration's events exchange and shipped consumers' queues. */
export function deploymentBrokerPermissions(config: AppConfig): Record<BrokerProcess, BrokerPermissions> {
  const policy = retryPolicyFrom(config);
  return brokerPermissions({
    exchange: config.EVENTS_EXCHANGE,
    consumers: shippedConsumers(config).map((definition) => consumerQueuesOf(definition, policy)),
  });
}

/**
 * The topology's owner step: declares, as the admin (`amqpUrl`), the events exchange and every
 * shipped consumer's queues, so the processes (DECLARE_TOPOLOGY=0) need no configure permission.
 * Idempotent; run it again after a change of the consumers' retry tiers or queue names.
 */
export async function declareDeploymentTopology(amqpUrl: string, config: AppConfig): Promise<void> {
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    await assertEventsTopology(channel, config.EVENTS_EXCHANGE);
    const policy = retryPolicyFrom(config);
    for (const definition of shippedConsumers(config)) await assertConsumerTopology(channel, definition, config.EVENTS_EXCHANGE, policy);
  } finally {
    await connection.close();
  }
}

/** The vhost an AMQP URL names ('/' when it names none). */
export const vhostOf = (amqpUrl: string): string => decodeURIComponent(new URL(amqpUrl).pathname.slice(1)) || '/';
