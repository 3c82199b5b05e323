import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spreadOverApis } from '../../api/client/spread-over-apis';

/**
 * Two real HTTP servers on loopback, standing in for two API instances: each answers with its
 * name, the method, path and body it got. One more port was listened on and closed: nobody is there.
 */
const servers: Server[] = [];
let live: [string, string];
let closed: string;
const bodies: string[] = [];

async function listen(name: string): Promise<Server> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      bodies.push(body);
      if (request.url === '/reset') return request.socket.destroy();
      response.writeHead(request.url === '/fails' ? 503 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ server: name, method: request.method, path: request.url, body }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

beforeAll(async () => {
  const [a, b, gone] = await Promise.all([listen('a'), listen('b'), listen('gone')]);
  servers.push(a, b);
  live = [urlOf(a), urlOf(b)];
  closed = urlOf(gone);
  gone.close();
  await once(gone, 'close');
});

afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

const served = async (response: Response) => ((await response.json()) as { server: string }).server;

describe('spreadOverApis', () => {
  it('sends requests to each base URL in turn', async () => {
    const spread = spreadOverApis(live);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await served(await spread('/orders')));
    expect(answers).toEqual(['a', 'b', 'a', 'b']);
  });

  it('sends a request refused by a closed port to the next base URL, body and headers included', async () => {
    const spread = spreadOverApis([closed, live[1]]);
    for (let i = 0; i < 2; i++) {
      const response = await spread('/orders?x=1', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'k1' },
        body: JSON.stringify({ n: i }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ server: 'b', method: 'POST', path: '/orders?x=1', body: `{"n":${i}}` });
      // The answer says who served it.
      expect(new URL(response.url).origin).toBe(live[1]);
    }
  });

  it('sends a request whose connection was reset to the next base URL', async () => {
    bodies.length = 0;
    // The first server resets the connection on /reset; the second does too: both tried, once each, then the error.
    const spread = spreadOverApis(live);
    await expect(spread('/reset', { method: 'POST', body: 'same bytes' })).rejects.toThrow();
    expect(bodies).toEqual(['same bytes', 'same bytes']);
  });

  it('returns an HTTP error as is, without trying another base URL', async () => {
    const spread = spreadOverApis(live);
    const response = await spread('/fails');
    expect(response.status).toBe(503);
    expect(await served(response)).toBe('a');
    // The next request goes on to the next base URL.
    expect(await served(await spread('/orders'))).toBe('b');
  });

  it('fails with the connection error when every base URL refuses', async () => {
    const spread = spreadOverApis([closed, closed]);
    const error = await spread('/orders').then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as TypeError).cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('takes absolute URLs and Requests under one of the base URLs, and refuses others', async () => {
    const spread = spreadOverApis(live);
    expect(await served(await spread(`${live[0]}/orders`))).toBe('a');
    const request = new Request(`${live[0]}/orders/1`, { method: 'POST', body: 'from a Request' });
    expect(await (await spread(request)).json()).toEqual({ server: 'b', method: 'POST', path: '/orders/1', body: 'from a Request' });
    await expect(spread('http://127.0.0.1:1/orders')).rejects.toThrow(/none of the API base URLs/);
    expect(() => spreadOverApis([])).toThrow(/at least one/);
  });
});
