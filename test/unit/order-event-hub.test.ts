import { describe, expect, it } from 'vitest';
import { ORDER_EVENTS_CHANNEL, startOrderEventHub, type NotificationSource } from '../../api/event-streams/order-event-hub';
import { StreamCaps } from '../../api/event-streams/stream-caps';
import { createLogger } from '../../logging/logger';

/** A LISTEN connection that a test can lose without a word, as postgres.js does when its re-listen fails. */
function losableSource() {
  let listeners: ((payload: string) => void)[] = [];
  let listens = 0;
  const source: NotificationSource = {
    async listen(_channel, onNotify, onListen) {
      listens += 1;
      listeners.push(onNotify);
      onListen();
      return { unlisten: async () => void (listeners = listeners.filter((l) => l !== onNotify)) };
    },
    async notify(_channel, payload) {
      for (const listener of listeners) listener(payload);
    },
  };
  return { source, lose: () => (listeners = []), listens: () => listens };
}

const log = createLogger('hub-test', 'silent');

describe('order event hub', () => {
  it('wakes only the notified order, and a wait after a notification returns at once', async () => {
    const { source } = losableSource();
    const hub = startOrderEventHub(source, { probeEveryMs: 60_000, log });
    const a = hub.subscribe('order-a');
    const b = hub.subscribe('order-b');
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The first LISTEN wakes streams opened before it took effect.
    expect(await a.wait(10)).toBe('changed');
    expect(await b.wait(10)).toBe('changed');
    await source.notify(ORDER_EVENTS_CHANNEL, 'order-a');
    expect(await a.wait(10)).toBe('changed');
    expect(await b.wait(10)).toBe('timeout');
    await hub.close();
    expect(await a.wait(10)).toBe('closed');
    expect(a.closedByHub).toBe(true);
  });

  it('listens anew when its probe does not come back, and wakes every stream to re-read', async () => {
    const { source, lose, listens } = losableSource();
    const hub = startOrderEventHub(source, { probeEveryMs: 20, log });
    const stream = hub.subscribe('order-a');
    await stream.wait(10);
    lose();
    const deadline = Date.now() + 2000;
    while (hub.stats().relistens === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(hub.stats().relistens).toBeGreaterThan(0);
    expect(listens()).toBeGreaterThan(1);
    expect(await stream.wait(10)).toBe('changed');
    await source.notify(ORDER_EVENTS_CHANNEL, 'order-a');
    expect(await stream.wait(10)).toBe('changed');
    await hub.close();
  });
});

describe('stream caps', () => {
  it('refuse past the caller cap with 429 and past the total with 503, and give slots back once', () => {
    const caps = new StreamCaps({ perCustomer: 1, total: 2, retryAfterSeconds: 3 });
    const release = caps.open('a');
    expect(() => caps.open('a')).toThrow(expect.objectContaining({ status: 429, headers: { 'Retry-After': '3' } }));
    caps.open('b');
    expect(() => caps.open('c')).toThrow(expect.objectContaining({ status: 503, code: 'streams_full' }));
    release();
    release();
    expect(caps.counts(10)).toMatchObject({ open: 1, topCustomers: [{ customer: 'b', open: 1 }], refused: { perCustomer: 1, total: 1 } });
    expect(() => caps.open('d', true)).toThrow(expect.objectContaining({ status: 503, code: 'shutting_down' }));
  });
});
