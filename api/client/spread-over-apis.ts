/**
 * The error codes of a connection that failed before an answer: refused (nobody listens: an
 * instance restarting or gone) or reset/closed under the request (an instance that died). A
 * timeout or an abort is not one of them: the caller's signal decides those.
 */
const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** The code of a fetch failure (undici puts the socket's error in `cause`), if it is one of a dead connection. */
function connectionErrorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return code;
  }
  return undefined;
}

/**
 * A fetch that spreads requests over several API instances without a load balancer: each
 * request goes to the next base URL in turn (round-robin), and one whose connection is refused or
 * reset goes, the same request, to the next one, each base URL tried at most once; an HTTP answer,
 * whatever its status, is returned as is. The request is given relative to a base URL (`/orders`)
 * or as an absolute URL under one of them (what a client configured with one base URL builds).
 *
 * Sending a request again after a reset is safe for what the API offers: a reset request may have
 * been served, but POST /orders carries an Idempotency-Key (the second instance answers with the
 * first one's order), reads change nothing, and a decision taken twice is refused with a 409 that
 * the order's state explains. The answer's `url` says which instance served it.
 */
export function spreadOverApis(baseUrls: readonly string[]): typeof fetch {
  if (baseUrls.length === 0) throw new Error('spreadOverApis needs at least one base URL');
  const bases = baseUrls.map((url) => url.replace(/\/+$/, ''));
  let next = 0;

  const pathOf = (input: string | URL | Request): string => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('/')) return url;
    const base = bases.find((candidate) => url === candidate || url.startsWith(`${candidate}/`) || url.startsWith(`${candidate}?`));
    if (base === undefined) throw new TypeError(`${url} is under none of the API base URLs (${bases.join(', ')})`);
    return url.slice(base.length);
  };

  return async (input, init) => {
    const path = pathOf(input);
    // Buffered once, so that every attempt sends the same bytes (a stream can be read only once).
    const template = input instanceof Request ? new Request(input, init) : new Request(`${bases[0]}${path}`, init);
    const body = template.body === null ? undefined : await template.arrayBuffer();
    const first = next;
    next = (next + 1) % bases.length;
    let lastError: unknown;
    for (let attempt = 0; attempt < bases.length; attempt++) {
      const base = bases[(first + attempt) % bases.length]!;
      try {
        return await fetch(`${base}${path}`, {
          method: template.method,
          headers: template.headers,
          body,
          signal: template.signal,
          redirect: template.redirect,
        });
      } catch (error) {
        if (connectionErrorCode(error) === undefined) throw error;
        lastError = error;
      }
    }
    throw lastError;
  };
}
