import { decode, verify, verifyWithJwks } from 'hono/jwt';
import type { AppConfig } from '../../config/env';
import type { Caller } from './caller';
import { jwksKeySet } from './jwks-key-set';
import { callerFromClaims, TokenRejectedError } from './token-claims';

/** Turns a bearer token into its caller, or throws `TokenRejectedError` (or `KeySetUnavailableError`). */
export type TokenVerifier = (token: string) => Promise<Caller>;

type JwtSettings = Pick<
  AppConfig,
  'JWT_SECRET' | 'JWT_JWKS_URL' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_CLOCK_SKEW_SECONDS' | 'JWT_JWKS_CACHE_MS' | 'JWT_JWKS_MIN_REFRESH_MS'
>;

/** What the identity providers we expect sign with; HS* only with the local secret. */
const ASYMMETRIC_ALGORITHMS = ['RS256', 'ES256'] as const;

/** Hono's refusals, by error name, as messages that never repeat the token. */
const HONO_REFUSALS: Record<string, string> = {
  JwtTokenInvalid: 'the token is not a well-formed JWT, or no key matches its kid',
  JwtHeaderInvalid: 'the token header is not a JWT header',
  JwtHeaderRequiresKid: 'the token header has no kid (key id)',
  JwtAlgorithmMismatch: "the token's algorithm is not the one its key is for",
  JwtAlgorithmNotAllowed: `the token's algorithm is not accepted (${ASYMMETRIC_ALGORITHMS.join(', ')})`,
  JwtSymmetricAlgorithmNotAllowed: 'HS* tokens are not accepted from the identity provider',
  JwtTokenSignatureMismatched: "the token's signature does not verify",
  JwtTokenIssuer: 'the token was issued by another issuer (iss)',
  JwtPayloadRequiresAud: 'the token has no audience (aud)',
  JwtTokenAudience: 'the token is for another audience (aud)',
};

/**
 * Verifies tokens with Hono's JWT utilities: HS256 with JWT_SECRET (local use: `npm start`, the
 * tests, `npm run token`), RS256/ES256 against the provider's JWKS at JWT_JWKS_URL (production).
 * Both can be set at once. Issuer and audience are checked by Hono; expiry and clock skew by
 * `callerFromClaims`.
 */
export function createTokenVerifier(settings: JwtSettings): TokenVerifier {
  const { JWT_SECRET: secret, JWT_JWKS_URL: jwksUrl } = settings;
  if (!secret && !jwksUrl)
    throw new Error('set JWT_SECRET (HS256, local use) or JWT_JWKS_URL (your identity provider) so the API can verify callers');
  const keySet = jwksUrl
    ? jwksKeySet({ url: jwksUrl, cacheMs: settings.JWT_JWKS_CACHE_MS, minRefreshMs: settings.JWT_JWKS_MIN_REFRESH_MS })
    : undefined;
  // Time claims are checked with leeway by callerFromClaims, not by Hono (which has none).
  const verification = { iss: settings.JWT_ISSUER, aud: settings.JWT_AUDIENCE, exp: false, nbf: false, iat: false };

  return async (token) => {
    let header: { alg?: unknown; kid?: unknown };
    try {
      const decoded = decode(token);
      // Hono reads claims off the payload before it checks the signature: `null` or `[]` there
      // would be a TypeError (a 500) rather than a refusal.
      if (!isJsonObject(decoded.header) || !isJsonObject(decoded.payload)) throw new TypeError('not objects');
      header = decoded.header;
    } catch {
      throw new TokenRejectedError(HONO_REFUSALS.JwtTokenInvalid);
    }
    try {
      if (header.alg === 'HS256') {
        if (!secret)
          throw new TokenRejectedError('HS256 tokens are not accepted here: this API verifies tokens with its identity provider');
        return callerFromClaims(await verify(token, secret, { alg: 'HS256', ...verification }), settings.JWT_CLOCK_SKEW_SECONDS);
      }
      // The alg is the caller's text: not repeated, since the reason also travels in WWW-Authenticate.
      if (!keySet) throw new TokenRejectedError("the token's algorithm is not accepted here: this API verifies HS256 tokens only");
      const keys = await keySet.keysFor(typeof header.kid === 'string' ? header.kid : undefined);
      const payload = await verifyWithJwks(token, { keys, allowedAlgorithms: ASYMMETRIC_ALGORITHMS, verification });
      return callerFromClaims(payload, settings.JWT_CLOCK_SKEW_SECONDS);
    } catch (error) {
      if (!(error instanceof Error) || !error.name.startsWith('Jwt')) throw error;
      // Hono's own messages repeat the token: never pass them on.
      throw new TokenRejectedError(HONO_REFUSALS[error.name] ?? 'the token does not verify');
    }
  };
}

const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
