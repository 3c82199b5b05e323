import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/env';
import { brokerPermissions, NOTHING } from '../../messaging/broker-permissions';
import { consumerQueuesOf } from '../../messaging/consumer-topology';
import { processUrls } from '../../workers/process-credentials';

/** The generated permissions and the per-process URLs (docs/operations.md "## Least privilege"). */
const matches = (regex: string, name: string) => new RegExp(regex).test(name);
const policy = { maxAttempts: 3, baseMs: 1000, maxMs: 2000 };
const queues = consumerQueuesOf({ name: 'p', queue: 'q+1.projection', bindings: ['#'], prefetch: 1, handlers: {} }, policy);
const permissions = brokerPermissions({ exchange: 'orders.events', consumers: [queues] });

describe('broker permissions', () => {
  it('let no process configure anything: the topology owner declares', () => {
    for (const process of Object.values(permissions)) expect(process.configure).toBe(NOTHING);
  });

  it('let only the relay publish to the events exchange, and to nothing else', () => {
    expect(matches(permissions['outbox-relay'].write, 'orders.events')).toBe(true);
    for (const name of ['amq.default', 'orders.events.unrouted', 'ordersXevents', 'amq.topic']) {
      expect(matches(permissions['outbox-relay'].write, name), name).toBe(false);
    }
    for (const process of ['consumers', 'api'] as const) expect(matches(permissions[process].write, 'orders.events'), process).toBe(false);
  });

  it('let the consumers read their queues only, and the API the DLQs only, names taken literally', () => {
    expect(queues.retries.length).toBeGreaterThan(0);
    expect(matches(permissions.consumers.read, 'q+1.projection')).toBe(true);
    for (const name of [queues.deadLetter, ...queues.retries, 'qq1.projection', 'q+1Xprojection']) {
      expect(matches(permissions.consumers.read, name), name).toBe(false);
    }
    expect(matches(permissions.api.read, queues.deadLetter)).toBe(true);
    expect(matches(permissions.api.read, queues.queue)).toBe(false);
  });
});

describe('processUrls', () => {
  const base = loadConfig({});
  it('keeps the shared URLs unless told otherwise', () => {
    expect(processUrls('outbox-relay', base)).toEqual({ DATABASE_URL: base.DATABASE_URL, AMQP_URL: base.AMQP_URL });
  });

  it("passes a process's own URLs on as its DATABASE_URL and AMQP_URL", () => {
    const config = loadConfig({ OUTBOX_RELAY_DATABASE_URL: 'postgres://relay@db/saga', OUTBOX_RELAY_AMQP_URL: 'amqp://relay:x@mq' });
    expect(processUrls('outbox-relay', config)).toEqual({ DATABASE_URL: 'postgres://relay@db/saga', AMQP_URL: 'amqp://relay:x@mq' });
    expect(processUrls('api', config)).toEqual({ DATABASE_URL: base.DATABASE_URL, AMQP_URL: base.AMQP_URL });
  });

  it('with LEAST_PRIVILEGE, logs the saga worker in as its own role and as no broker user', () => {
    const urls = processUrls('saga-worker', loadConfig({ LEAST_PRIVILEGE: '1' }));
    expect(new URL(urls.DATABASE_URL).username).toBe('app_saga_worker');
    expect(new URL(urls.DATABASE_URL).password).toBe('');
    expect(new URL(urls.AMQP_URL).username).toBe('no-broker-access');
  });
});
