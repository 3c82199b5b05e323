import { expect } from 'vitest';
import { PROBLEM_CONTENT_TYPE, type Problem } from '../../api/problem';

/** An error answer's body, checked to be problem details (RFC 9457) as every error of the API is. */
export async function problemOf(response: Response): Promise<Problem> {
  expect(response.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  const problem = (await response.json()) as Problem;
  expect(problem).toMatchObject({ status: response.status, type: `urn:saga-orchestrator:problem:${problem.code}` });
  return problem;
}
