import { request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useApiStack } from '../support/api-server';

const ctx = useApiStack({ relay: false });

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request on a fresh connection, with headers fetch would refuse to send. */
function rawRequest(path: string, headers: Record<string, string>): Promise<RawAnswer> {
  const { hostname, port } = new URL(ctx.api.baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request({ hostname, port, path, method: 'PUT', headers, agent: false }, (incoming) => {
      let body = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (body += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe("requests Node's HTTP parser refuses still get a JSON error", () => {
  it('headers over the 16 KiB limit (found by the fuzz test: a long admin path and a long bearer token): 431, problem details, Connection: close', async () => {
    const answer = await rawRequest(`/admin/inventory/${'%61'.repeat(4000)}`, {
      authorization: `Bearer ${'a'.repeat(12_000)}`,
      'content-type': 'application/json',
    });
    expect(answer.status).toBe(431);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toEqual({
      type: 'urn:saga-orchestrator:problem:headers_too_large',
      title: 'Headers too large',
      status: 431,
      detail: expect.stringContaining('16 KiB'),
      code: 'headers_too_large',
      errors: [],
    });
  });

  it('a malformed request line: 400, problem details', async () => {
    const { hostname, port } = new URL(ctx.api.baseUrl);
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port) }, () => socket.end('GET /orders HTTP/9.9 nonsense\r\n\r\n'));
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    const [head = '', body = ''] = text.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(body)).toMatchObject({ status: 400, code: 'malformed_request', detail: expect.any(String), errors: [] });
  });

  it('the server keeps serving afterwards', async () => {
    expect((await ctx.api.client().GET('/admin/outbox')).response.status).toBe(200);
  });
});
