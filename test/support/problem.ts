import { expect } from 'vitest';
import { PROBLEM_CONTENT_TYPE, type Problem } from '../../api/problem';

/** An error answer's body, checked to be problem details (RFC 9457) as every error of the API is. */
export async function problemOf(response: Response): Promise<Problem> {
  return checkedProblem(response, await response.json());
}

/** The same, of the generated client's answer: its `error`, with the response it came in. */
export function problemOfAnswer({ response, error }: { response: Response; error?: unknown }): Problem {
  return checkedProblem(response, error);
}

function checkedProblem(response: Response, body: unknown): Problem {
  expect(response.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  const problem = body as Problem;
  expect(problem).toMatchObject({ status: response.status, type: `urn:saga-orchestrator:problem:${problem.code}` });
  return problem;
}
