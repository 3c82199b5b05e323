import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign } from 'hono/jwt';
import type { HonoJsonWebKey } from 'hono/utils/jwt/jws';
import type { AppConfig } from '../../config/env';

/** Tokens as a client (or an attacker) could make them: any header, any claims, any signature. */

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** header.payload.signature, with nothing checked: for `alg: none`, null payloads and the like. */
export const rawToken = (header: unknown, payload: unknown, signature = '') => `${part(header)}.${part(payload)}.${signature}`;

type Audience = Pick<AppConfig, 'JWT_ISSUER' | 'JWT_AUDIENCE'>;

/** The claims a valid token for `sub` carries, for an hour; `overrides` replace or (as undefined) drop them. */
export function claimsFor(settings: Audience, sub: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  const claims: Record<string, unknown> = {
    sub,
    iss: settings.JWT_ISSUER,
    aud: settings.JWT_AUDIENCE,
    iat: now,
    exp: now + 3600,
    ...overrides,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return claims;
}

export const signHs256 = (secret: string, claims: Record<string, unknown>) => sign(claims, secret, 'HS256');

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  /** What the provider publishes in its JWKS. */
  publicJwk: HonoJsonWebKey;
  sign(claims: Record<string, unknown>): Promise<string>;
}

/** A fresh key pair as an identity provider holds it; tokens it signs name its `kid`. */
export function signingKey(alg: 'RS256' | 'ES256', kid: string): SigningKey {
  const { publicKey, privateKey } =
    alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = { ...privateKey.export({ format: 'jwk' }), alg, kid } as HonoJsonWebKey;
  return {
    kid,
    alg,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), alg, kid, use: 'sig' } as HonoJsonWebKey,
    sign: (claims) => sign(claims, privateJwk, alg),
  };
}

export interface JwksServer {
  url: string;
  /** What it serves now; change it to rotate keys. */
  keys: HonoJsonWebKey[];
  /** Requests it has answered. */
  fetches: number;
  /** While true it answers 503, as a provider in trouble. */
  down: boolean;
  close(): Promise<void>;
}

/** An identity provider's JWKS endpoint on a local port, counting how often it is asked. */
export async function startJwksServer(keys: HonoJsonWebKey[]): Promise<JwksServer> {
  const state = { keys, fetches: 0, down: false };
  const server: Server = createServer((request, response) => {
    state.fetches += 1;
    if (state.down) {
      response.writeHead(503).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
