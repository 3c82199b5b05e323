import { STATUS_CODES, type ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../config/env';
import { problem, PROBLEM_CONTENT_TYPE } from './problem';

export interface ServeOptions {
  port: number;
  hostname: string;
  /** Slow clients: how long the headers, the whole request and an idle keep-alive connection may take. */
  timeouts: { headersMs: number; requestMs: number; keepAliveMs: number };
}

/** The timeouts of `config` (HTTP_*_TIMEOUT_MS), as serveApi takes them. */
export const serveTimeouts = (
  config: Pick<AppConfig, 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'>,
) => ({
  headersMs: config.HTTP_HEADERS_TIMEOUT_MS,
  requestMs: config.HTTP_REQUEST_TIMEOUT_MS,
  keepAliveMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
});

/**
 * Serves the app over HTTP, the one way every API process and test server does. Node's HTTP
 * parser refuses some requests before the app sees them (headers over the 16 KiB limit, a
 * malformed request line) and would answer them with an empty body; they get the API's problem
 * details here instead, so a client always has something to read and act on.
 *
 * A slow client (slowloris: headers or a body dribbled in, a byte at a time) is cut off with a
 * 408 once its headers take longer than `headersMs` or its whole request longer than `requestMs`;
 * Node checks both every `connectionsCheckingInterval`, here at most a second. Both bound receiving
 * the request only: a response may stream for as long as it needs (event streams do).
 */
export function serveApi<E extends object>(
  app: Pick<Hono<E>, 'fetch'>,
  options: ServeOptions,
  onListening?: (info: AddressInfo) => void,
): ServerType {
  const { headersMs, requestMs, keepAliveMs } = options.timeouts;
  const serverOptions: ServerOptions = {
    headersTimeout: headersMs,
    requestTimeout: requestMs,
    keepAliveTimeout: keepAliveMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersMs / 4))),
  };
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.hostname, serverOptions }, onListening);
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
  const body = JSON.stringify(problem(known.status, known.code, known.message));
  socket.end(
    `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
