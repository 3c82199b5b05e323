import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AddressInfo } from 'node:net';

export interface ServeOptions {
  port: number;
  hostname: string;
}

/**
 * Serves the app over HTTP, the one way every API process and test server does. Node's HTTP
 * parser refuses some requests before the app sees them (headers over the 16 KiB limit, a
 * malformed request line) and would answer them with an empty body; they get the API's JSON
 * error shape here instead, so a client always has something to read and act on.
 */
export function serveApi<E extends object>(
  app: Pick<Hono<E>, 'fetch'>,
  options: ServeOptions,
  onListening?: (info: AddressInfo) => void,
): ServerType {
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.hostname }, onListening);
  server.on('clientError', answerClientError);
  return server;
}

/** What the parser refused, as the API's error codes; anything else is a plain bad request. */
const PARSER_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers_too_large',
    message: 'the request line and headers are larger than the server accepts (16 KiB)',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', message: 'the request did not arrive in time' },
};

function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A connection the client already dropped has nobody to answer.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const known = PARSER_ERRORS[error.code ?? ''] ?? {
    status: 400,
    code: 'malformed_request',
    message: `the server could not parse the request (${error.code ?? 'unknown parser error'})`,
  };
  const body = JSON.stringify({ error: { code: known.code, message: known.message, details: [] } });
  socket.end(
    `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
