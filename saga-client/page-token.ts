import { createHash } from 'node:crypto';
import { InvalidPageTokenError } from './errors';

/** The filters a page token belongs to: a token is only good for the query that returned it. */
export interface PageTokenScope {
  status?: string;
  customerId?: string;
}

const TAG_BYTES = 8;

/**
 * The API's page token: a short checksum, then Temporal's own token, as base64url. Why the
 * checksum: Temporal answers a token it cannot parse with UNKNOWN ("please retry"), so garbage
 * has to be refused here, at once, and only tokens this API handed out reach Temporal. It guards
 * against corrupted, truncated and mixed-up tokens, not forgery; Temporal checks what it gets.
 */
export function encodePageToken(temporalToken: Uint8Array, scope: PageTokenScope): string {
  return Buffer.concat([tag(temporalToken, scope), temporalToken]).toString('base64url');
}

/** Temporal's token inside `pageToken`, or InvalidPageTokenError. */
export function decodePageToken(pageToken: string, scope: PageTokenScope): Buffer {
  const bytes = Buffer.from(pageToken, 'base64url');
  const temporalToken = bytes.subarray(TAG_BYTES);
  // Re-encoding must give back the same text: rejects stray padding and non-base64url characters.
  if (
    temporalToken.length === 0 ||
    bytes.toString('base64url') !== pageToken ||
    !bytes.subarray(0, TAG_BYTES).equals(tag(temporalToken, scope))
  ) {
    throw new InvalidPageTokenError(
      'pageToken is not a nextPageToken this API returned for this query (same status and customerId)',
      'not a valid page token for this query',
    );
  }
  return temporalToken;
}

function tag(temporalToken: Uint8Array, scope: PageTokenScope): Buffer {
  return createHash('sha256')
    .update(JSON.stringify([scope.status ?? null, scope.customerId ?? null]))
    .update(temporalToken)
    .digest()
    .subarray(0, TAG_BYTES);
}
