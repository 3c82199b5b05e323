/**
 * How every operation is documented: a stable operationId (the generated client's method key),
 * one tag (Swagger UI's group), and its errors, each listed in the description and answered with
 * the one shared Problem response (api/problem.ts), so a client reads every error the same way.
 */

export const TAGS = [
  { name: 'orders', description: 'Submit orders, read their saga state and events, cancel them' },
  { name: 'review', description: 'Approve or reject an order held for review (admin)' },
  { name: 'inventory', description: 'Stock and prices (admin)' },
  { name: 'outbox', description: 'The transactional outbox behind the integration events (admin)' },
  { name: 'consumers', description: 'Stop and start the event consumers (admin)' },
  { name: 'dead letters', description: "Inspect and replay a consumer's dead letters (admin)" },
  { name: 'sagas', description: 'Sagas that need an operator (admin)' },
  { name: 'event streams', description: "An API instance's event streams (admin)" },
  { name: 'health', description: 'Liveness and readiness probes' },
] as const;

export type Tag = (typeof TAGS)[number]['name'];

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

/** Where the shared error response lives in the document (registered in api/app.ts). */
export const PROBLEM_RESPONSE_REF = '#/components/responses/Problem';

/** What any operation can answer whatever it is: a token that does not verify, a key set out of reach, a bug. */
const EVERY_OPERATION: Partial<Record<ErrorStatus, string>> = {
  401: 'unauthorized: no credentials where the operation needs them, or an Authorization header that does not verify (WWW-Authenticate says why)',
  500: 'internal_error: the server failed; it logged the error under the requestId',
  503: "auth_unavailable: the identity provider's keys cannot be fetched to verify a token; retry after Retry-After",
};

export interface OperationDoc<R> {
  operationId: string;
  tag: Tag;
  summary: string;
  description?: string;
  /** The statuses this operation answers with a problem besides EVERY_OPERATION's, and when. */
  errors: Partial<Record<ErrorStatus, string>>;
  /** The successful answers (and any error answered with another body, as /readyz's 503). */
  responses: R;
}

export function operation<R extends object>(doc: OperationDoc<R>) {
  const errors = { ...EVERY_OPERATION, ...doc.errors };
  const statuses = (Object.keys(errors) as `${ErrorStatus}`[]).sort();
  const listed = statuses.map((status) => `- ${status}: ${errors[status]}`).join('\n');
  const problems: Record<string, { $ref: string; description: string }> = {};
  for (const status of statuses) {
    if (!(status in doc.responses)) problems[status] = { $ref: PROBLEM_RESPONSE_REF, description: errors[status] ?? '' };
  }
  return {
    operationId: doc.operationId,
    tags: [doc.tag],
    summary: doc.summary,
    description: `${(doc.description ?? doc.summary).replace(/\.$/, '')}.\n\nErrors (application/problem+json):\n${listed}`,
    responses: { ...problems, ...doc.responses },
  };
}
