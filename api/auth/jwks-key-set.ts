import type { HonoJsonWebKey } from 'hono/utils/jwt/jws';

export interface JwksKeySetOptions {
  url: string;
  /** How long a fetched key set is used before it is fetched again. */
  cacheMs: number;
  /** A token naming an unknown `kid` refetches at most this often, so a stranger cannot make the API hammer the provider. */
  minRefreshMs?: number;
  fetchTimeoutMs?: number;
}

/** The identity provider could not be asked for its keys: the API's problem, not the caller's. */
export class KeySetUnavailableError extends Error {}

/**
 * The provider's JSON Web Key Set, fetched once and kept for `cacheMs`, where Hono's `jwk`
 * middleware would fetch it on every request. A key id it does not know (the provider rotated its
 * keys) refetches early, no more than once per `minRefreshMs`. A failed refetch keeps the keys it
 * had: a provider outage then costs nothing until the cache would have expired anyway.
 */
export function jwksKeySet(options: JwksKeySetOptions) {
  const minRefreshMs = options.minRefreshMs ?? 30_000;
  let keys: HonoJsonWebKey[] | undefined;
  let fetchedAt = 0;
  let inFlight: Promise<HonoJsonWebKey[]> | undefined;

  async function download(): Promise<HonoJsonWebKey[]> {
    const response = await fetch(options.url, { signal: AbortSignal.timeout(options.fetchTimeoutMs ?? 5000) });
    if (!response.ok) throw new KeySetUnavailableError(`the key set at ${options.url} answered HTTP ${response.status}`);
    const body = (await response.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new KeySetUnavailableError(`the key set at ${options.url} has no "keys" array`);
    return body.keys as HonoJsonWebKey[];
  }

  function refresh(): Promise<HonoJsonWebKey[]> {
    inFlight ??= download()
      .then((fetched) => {
        keys = fetched;
        fetchedAt = Date.now();
        return fetched;
      })
      .catch((error: unknown) => {
        fetchedAt = Date.now(); // a failure also waits minRefreshMs before the next try
        if (keys) return keys;
        throw error instanceof KeySetUnavailableError
          ? error
          : new KeySetUnavailableError(`the key set at ${options.url} could not be fetched: ${(error as Error).message}`);
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  return {
    /** The keys to verify a token whose header names `kid`. */
    async keysFor(kid: string | undefined): Promise<HonoJsonWebKey[]> {
      const age = Date.now() - fetchedAt;
      if (!keys || age >= options.cacheMs) return refresh();
      if (kid !== undefined && !keys.some((key) => key.kid === kid) && age >= minRefreshMs) return refresh();
      return keys;
    },
  };
}
