import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPageTokenError } from '../../saga-client/errors';
import { decodePageToken, encodePageToken } from '../../saga-client/page-token';

const scope = { status: 'COMPLETED', customerId: 'cust-42' };

describe('page tokens', () => {
  it("give back Temporal's token for the query that returned them", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (temporalToken) => {
        expect(decodePageToken(encodePageToken(temporalToken, scope), scope)).toEqual(Buffer.from(temporalToken));
      }),
    );
  });

  it('refuse a token of another query, a truncated or altered one, and garbage (the API answers 400 naming pageToken)', () => {
    const token = encodePageToken(Buffer.from('temporal-token'), scope);
    const refused = [
      encodePageToken(Buffer.from('temporal-token'), { status: 'FAILED', customerId: 'cust-42' }),
      token.slice(0, -1),
      `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`,
      `${token}=`,
      '',
      'A',
    ];
    for (const bad of refused) {
      const error = (() => {
        try {
          decodePageToken(bad, scope);
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error, bad).toBeInstanceOf(InvalidPageTokenError);
      expect((error as InvalidPageTokenError).problem).toBe('not a valid page token for this query');
    }
  });
});
