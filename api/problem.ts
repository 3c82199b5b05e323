import { STATUS_CODES } from 'node:http';

/** RFC 9457 problem details: the body of every error the API answers. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A field the problem is about: `items.0.quantity`, `id` (a path parameter), `pageSize` (a query parameter). */
export interface ProblemField {
  path: string;
  message: string;
}

export interface Problem {
  /** Names the kind of problem; one per `code`, so a client may branch on either. */
  type: string;
  /** The same for every problem of this type. */
  title: string;
  status: number;
  /** What happened this time, and what to do about it. */
  detail: string;
  /** The request's path. */
  instance?: string;
  code: string;
  errors: ProblemField[];
  requestId?: string;
  /** A replay or discard of dead letters that failed part way: its audit entry, which lists what it did. */
  actionId?: number;
}

/** The problem's members beyond the shared ones, set by the error that answers (api/errors.ts ApiError). */
export type ProblemExtensions = Pick<Problem, 'actionId'>;

/** A URN, not a URL: it names the kind of problem without promising a page; docs/api.md lists the codes. */
export const problemType = (code: string): string => `urn:saga-orchestrator:problem:${code}`;

/** `validation_failed` → `Validation failed`: stable per code, as RFC 9457 asks of a title. */
const titleOf = (code: string): string => {
  const words = code.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export function problem(
  status: number,
  code: string,
  detail: string,
  errors: ProblemField[] = [],
  request: { instance?: string; requestId?: string } = {},
  extensions: ProblemExtensions = {},
): Problem {
  return {
    type: problemType(code),
    title: titleOf(code) || (STATUS_CODES[status] ?? 'Error'),
    status,
    detail,
    ...request,
    code,
    errors,
    ...extensions,
  };
}
