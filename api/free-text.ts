import { z } from '@hono/zod-openapi';

/**
 * Free text (names, addresses, reasons): at least one visible character, no control characters
 * (U+0000-U+001F, U+007F-U+009F) and no unpaired surrogates. Postgres cannot store NUL or a lone
 * surrogate in text or jsonb at all, and control characters have no place in a name or an
 * address; refused here, they never reach a saga whose first step could only retry them forever.
 *
 * One pattern for the server and the OpenAPI document, written so that it means the same with and
 * without the `u` flag (JSON Schema validators differ on it): explicit `\u` ranges, no `\p{…}`,
 * and a surrogate is allowed only as the lead of a pair followed by its trail. Without `u` an
 * emoji is that pair of code units; with `u` it is one code point outside every excluded range.
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
export const FREE_TEXT_PATTERN = /^(?=[\s\S]*\S)(?:[^\u0000-\u001F\u007F-\u009F\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

export const FREE_TEXT_RULE = 'must contain a visible character and no control characters or unpaired surrogates';

/** Characters as JSON Schema's maxLength counts them: code points, so an emoji is one. */
const codePoints = (value: string): number => [...value].length;

/**
 * Checked as sent, then trimmed: the checks are those the document states, so a client validating
 * against it accepts and refuses the same strings as the server (test/unit/free-text.test.ts).
 */
export const freeText = (max: number) =>
  z
    .string()
    .min(1)
    .regex(FREE_TEXT_PATTERN, FREE_TEXT_RULE)
    .refine((value) => codePoints(value) <= max, `at most ${max} characters`)
    .trim()
    .openapi({ maxLength: max });
