import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Where the ports come from: below the kernel's ephemeral range, and below 32768 in any case (the
 * production-mode Temporal server records its ports in PostgreSQL as `smallint`).
 */
const LOWEST_PORT = 20_000;
const HIGHEST_PORT = 32_767;
const TRIES = 50;

/**
 * A port nobody listens on right now, for a listener that starts a moment later: an API child
 * process (the chaos run's, the benchmark's), a service of the chaos run's own, Core's metrics in
 * the saga worker. Picked at random below the kernel's ephemeral range and checked free, because
 * a port from that range (what `listen(0)` hands out) can be taken by any outgoing connection
 * before the listener binds it, or while a killed process restarts. `taken`: ports already handed
 * out for listeners that have not started yet.
 */
export async function freePort(taken: Iterable<number> = []): Promise<number> {
  const avoid = new Set(taken);
  const highest = Math.min(HIGHEST_PORT, ephemeralRangeStart() - 1);
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const port = LOWEST_PORT + Math.floor(Math.random() * (highest - LOWEST_PORT + 1));
    if (!avoid.has(port) && (await isFree(port))) return port;
  }
  throw new Error(`no free port between ${LOWEST_PORT} and ${highest} in ${TRIES} tries`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The first port of Linux's ephemeral range (32768 unless changed); 32768 where it cannot be read. */
function ephemeralRangeStart(): number {
  let range: string;
  try {
    range = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  } catch {
    return 32_768;
  }
  const start = Number(range.trim().split(/\s+/)[0]);
  // A range that starts too low to leave room below it: keep the usual split.
  return Number.isInteger(start) && start > LOWEST_PORT + 1000 ? start : 32_768;
}
