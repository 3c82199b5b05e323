import type { JWTPayload } from 'hono/utils/jwt/types';
import { CUSTOMER_ID_RULE, isCustomerId } from '../../domain/customer-id';
import type { Caller } from './caller';

/** Why a token was refused, in words a client can act on (never the token itself). */
export class TokenRejectedError extends Error {}

/**
 * The time and identity checks on a token whose signature, issuer and audience already held.
 * Hono's `verify` compares `exp`, `nbf` and `iat` with no leeway and lets a token without `exp`
 * through, so they are checked here, allowing `skewSeconds` for clocks that disagree.
 */
export function callerFromClaims(payload: JWTPayload, skewSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)): Caller {
  const { exp, nbf, iat, sub, roles } = payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new TokenRejectedError('the token has no exp (expiry) claim');
  if (exp + skewSeconds <= nowSeconds) throw new TokenRejectedError('the token has expired');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf - skewSeconds > nowSeconds)) {
    throw new TokenRejectedError('the token is not valid yet (nbf)');
  }
  if (iat !== undefined && (typeof iat !== 'number' || iat - skewSeconds > nowSeconds)) {
    throw new TokenRejectedError('the token was issued in the future (iat)');
  }
  if (typeof sub !== 'string' || !isCustomerId(sub)) {
    throw new TokenRejectedError(`the token's subject (sub) is missing or not a customer id: ${CUSTOMER_ID_RULE}`);
  }
  const roleList = Array.isArray(roles) ? roles : typeof roles === 'string' ? roles.split(' ') : [];
  if (roleList.includes('admin')) return { kind: 'admin', subject: sub, via: 'jwt' };
  return { kind: 'customer', customerId: sub };
}
