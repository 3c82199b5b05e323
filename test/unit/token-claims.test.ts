import { describe, expect, it } from 'vitest';
import { callerFromClaims, TokenRejectedError } from '../../api/auth/token-claims';

const NOW = 1_800_000_000;
const SKEW = 30;
const valid = { sub: 'auth0|abc123', exp: NOW + 600, iat: NOW - 5 };
const check = (claims: Record<string, unknown>) => () => callerFromClaims(claims, SKEW, NOW);

describe('callerFromClaims', () => {
  it("a valid token's subject is the customer", () => {
    expect(check(valid)()).toEqual({ kind: 'customer', customerId: 'auth0|abc123' });
  });

  it('a roles claim containing admin (an array or a space-separated string) makes an admin', () => {
    expect(check({ ...valid, roles: ['viewer', 'admin'] })()).toEqual({ kind: 'admin', subject: 'auth0|abc123', via: 'jwt' });
    expect(check({ ...valid, roles: 'viewer admin' })()).toMatchObject({ kind: 'admin' });
    expect(check({ ...valid, roles: ['administrator'] })()).toMatchObject({ kind: 'customer' });
    expect(check({ ...valid, roles: { admin: true } })()).toMatchObject({ kind: 'customer' });
  });

  it('exp is required and must be a finite number', () => {
    for (const exp of [undefined, '9999999999', null, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(check({ ...valid, exp }), String(exp)).toThrow(TokenRejectedError);
    }
  });

  it('expiry allows the clock skew and not a second more', () => {
    expect(check({ ...valid, exp: NOW - SKEW + 1 })).not.toThrow();
    expect(check({ ...valid, exp: NOW - SKEW })).toThrow(/expired/);
    expect(check({ ...valid, exp: NOW - 3600 })).toThrow(/expired/);
  });

  it('nbf and iat in the future are accepted within the skew only', () => {
    expect(check({ ...valid, nbf: NOW + SKEW })).not.toThrow();
    expect(check({ ...valid, nbf: NOW + SKEW + 1 })).toThrow(/nbf/);
    expect(check({ ...valid, nbf: 'soon' })).toThrow(/nbf/);
    expect(check({ ...valid, iat: NOW + SKEW })).not.toThrow();
    expect(check({ ...valid, iat: NOW + SKEW + 1 })).toThrow(/iat/);
  });

  it('with no skew, a token expiring now is expired', () => {
    expect(() => callerFromClaims({ ...valid, exp: NOW }, 0, NOW)).toThrow(/expired/);
    expect(() => callerFromClaims({ ...valid, exp: NOW + 1 }, 0, NOW)).not.toThrow();
  });

  it('the subject must be a customer id', () => {
    for (const sub of [undefined, '', 42, 'has space', 'a/b', '"quoted"', '-leading-dash', 'x'.repeat(129), 'ctl\u0000']) {
      expect(check({ ...valid, sub }), JSON.stringify(sub)).toThrow(/subject/);
    }
    for (const sub of ['auth0|64f1c0', 'google-oauth2|1088', 'okta:00u1ab', 'ada@example.com', 'x'.repeat(128)]) {
      expect(check({ ...valid, sub })(), sub).toEqual({ kind: 'customer', customerId: sub });
    }
  });

  it('messages never repeat claim values', () => {
    try {
      check({ ...valid, sub: 'secret value with spaces' })();
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('secret value');
    }
  });
});
