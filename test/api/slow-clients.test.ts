import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { orderBody } from '../support/order-body';
import { submitOrder, TEST_ADMIN_TOKEN, useApiStack } from '../support/api-server';

const HEADERS_MS = 1000;
const REQUEST_MS = 2000;
const KEEP_ALIVE_MS = 1000;

const ctx = useApiStack({ worker: false, relay: false }, (stack) => ({
  config: {
    ...stack.config,
    HTTP_HEADERS_TIMEOUT_MS: HEADERS_MS,
    HTTP_REQUEST_TIMEOUT_MS: REQUEST_MS,
    HTTP_KEEP_ALIVE_TIMEOUT_MS: KEEP_ALIVE_MS,
  },
}));

interface RawConnection {
  socket: Socket;
  received(): string;
  /** Resolves with the milliseconds from opening until the server closed the connection. */
  closed: Promise<number>;
  isClosed(): boolean;
}

async function open(): Promise<RawConnection> {
  const { port } = new URL(ctx.api.baseUrl);
  const socket = connect({ host: '127.0.0.1', port: Number(port) });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const started = Date.now();
  let data = '';
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (data += chunk));
  socket.on('error', () => {}); // a write after the server closed: the close is what the test waits for
  return {
    socket,
    received: () => data,
    isClosed: () => closed,
    closed: new Promise((resolve) =>
      socket.once('close', () => {
        closed = true;
        resolve(Date.now() - started);
      }),
    ),
  };
}

/** Writes `text` a byte at a time, every `everyMs`, until the connection closes. */
function dribble(connection: RawConnection, text: string, everyMs = 100): void {
  let index = 0;
  const timer = setInterval(() => {
    if (connection.isClosed() || index >= text.length) return clearInterval(timer);
    connection.socket.write(text[index++] ?? '');
  }, everyMs);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('slow clients', () => {
  it('headers sent slowly are cut off with a 408 once HTTP_HEADERS_TIMEOUT_MS has passed', async () => {
    const connection = await open();
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    // 600 bytes at 10 a second would take a minute.
    dribble(connection, `X-Slow: ${'a'.repeat(600)}\r\n\r\n`);
    const after = await connection.closed;
    expect(after).toBeGreaterThanOrEqual(HEADERS_MS - 100);
    expect(after).toBeLessThan(HEADERS_MS + 1500);
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(connection.received()).toContain('"code":"request_timeout"');
  });

  it('a body sent slowly is cut off once HTTP_REQUEST_TIMEOUT_MS has passed', async () => {
    const connection = await open();
    const body = JSON.stringify(orderBody());
    connection.socket.write(
      `POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    dribble(connection, body);
    const after = await connection.closed;
    expect(after).toBeGreaterThanOrEqual(REQUEST_MS - 100);
    expect(after).toBeLessThan(REQUEST_MS + 1500);
    expect(connection.received()).not.toMatch(/^HTTP\/1\.1 2/);
  });

  it('an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const connection = await open();
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const after = await connection.closed;
    expect(connection.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(after).toBeGreaterThanOrEqual(KEEP_ALIVE_MS - 100);
    expect(after).toBeLessThan(KEEP_ALIVE_MS + 1500);
  });

  it('an event stream stays open past every timeout: they bound the request, not the response', async () => {
    const { orderId } = await submitOrder(ctx.api);
    const connection = await open();
    connection.socket.write(
      `GET /orders/${orderId}/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_ADMIN_TOKEN}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    // No worker runs the saga, so the stream has nothing to end it.
    await sleep(REQUEST_MS + HEADERS_MS + KEEP_ALIVE_MS + 1000);
    expect(connection.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(connection.received()).toContain('text/event-stream');
    expect(connection.isClosed()).toBe(false);
    connection.socket.destroy();
  });
});
