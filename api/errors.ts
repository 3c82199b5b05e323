import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { InvalidPageTokenError, OrderNotFoundError } from '../saga-client/errors';
import type { ApiEnv } from './hono-env';
import { problem, PROBLEM_CONTENT_TYPE, type ProblemExtensions, type ProblemField } from './problem';

/** A field an error is about; the problem's `errors`. */
export type ErrorDetail = ProblemField;

/** An error a client can act on: its HTTP status, a stable code, a message, and the fields involved. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Headers the answer needs, such as `WWW-Authenticate` on a 401 or `Retry-After` on a 429. */
    readonly headers: Readonly<Record<string, string>> = {},
    /** Members the problem carries besides the shared ones, such as a failed dead-letter action's `actionId`. */
    readonly extensions: ProblemExtensions = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string): ApiError =>
  new ApiError(404, `${what}_not_found`, `no ${what} with id ${JSON.stringify(id)}`);

export function detailsOf(error: ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message }));
}

/** The validation hook every route uses: 400 naming each invalid field. */
export function validationHook(
  result: { success: true } | { success: false; error: ZodError; target?: string },
  c: Context<ApiEnv>,
): Response | undefined {
  if (result.success) return undefined;
  const where = result.target === 'json' ? 'body' : (result.target ?? 'request');
  return respond(c, new ApiError(400, 'validation_failed', `the request ${where} is invalid`, detailsOf(result.error)));
}

const HTTP_EXCEPTION_CODES: Partial<Record<number, string>> = {
  400: 'malformed_json', // the only 400 Hono raises itself: a body that is not JSON
  401: 'unauthorized',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** The one place an error becomes an answer: RFC 9457 problem details (api/problem.ts). */
export function respond(c: Context<ApiEnv>, error: ApiError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  const request = { instance: c.req.path, requestId: c.get('requestId') };
  const body = problem(error.status, error.code, error.message, error.details, request, error.extensions);
  return c.body(JSON.stringify(body), error.status, { 'Content-Type': PROBLEM_CONTENT_TYPE });
}

/** The saga client's refusals, as what they mean to an API client. */
function fromSagaClient(error: Error): ApiError | undefined {
  if (error instanceof OrderNotFoundError) return notFound('order', error.orderId);
  if (error instanceof InvalidPageTokenError) {
    return new ApiError(400, 'invalid_page_token', error.message, [{ path: 'pageToken', message: error.problem }]);
  }
  return undefined;
}

/** app.onError: known errors keep their status; anything else is a 500 that is logged, never swallowed. */
export function handleError(error: Error, c: Context<ApiEnv>): Response {
  if (error instanceof ApiError) return respond(c, error);
  const known = fromSagaClient(error);
  if (known) return respond(c, known);
  if (error instanceof HTTPException) {
    const status = error.status;
    return respond(c, new ApiError(status, HTTP_EXCEPTION_CODES[status] ?? 'http_error', error.message || 'request refused'));
  }
  c.get('log').error({ err: error }, 'unhandled error');
  return respond(c, new ApiError(500, 'internal_error', 'the server failed to handle this request; it has been logged'));
}
