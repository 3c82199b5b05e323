import { sign } from 'hono/jwt';
import type { AppConfig } from '../../config/env';

export interface TokenClaims {
  /** The customer id: the token's subject. */
  sub: string;
  /** `['admin']` makes an admin token. */
  roles?: string[];
  /** Seconds until it expires; default one hour. */
  ttlSeconds?: number;
}

type SigningSettings = Pick<AppConfig, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE'>;

/**
 * An HS256 token the API accepts, signed with JWT_SECRET: for `npm start`'s demo customer,
 * `npm run token`, the tests and the harnesses. Production tokens come from the identity provider.
 */
export function mintToken(settings: SigningSettings, claims: TokenClaims): Promise<string> {
  if (!settings.JWT_SECRET) throw new Error('JWT_SECRET is not set: cannot sign tokens');
  const now = Math.floor(Date.now() / 1000);
  const { sub, roles, ttlSeconds = 3600 } = claims;
  return sign(
    { sub, ...(roles ? { roles } : {}), iss: settings.JWT_ISSUER, aud: settings.JWT_AUDIENCE, iat: now, exp: now + ttlSeconds },
    settings.JWT_SECRET,
    'HS256',
  );
}
