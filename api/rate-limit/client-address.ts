import { isIPv6 } from 'node:net';

/**
 * The client's address as a rate-limit key. `socketAddress` is the TCP peer; X-Forwarded-For is
 * read only when `trustedHops` proxies are known to sit in front (any client can send the
 * header, so trusting it otherwise would let one client pick a fresh address per request).
 * With N trusted hops the address is the one N entries from the right of
 * `X-Forwarded-For, socket`: the address the outermost trusted proxy saw.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | undefined, trustedHops: number): string {
  const chain =
    trustedHops > 0
      ? (forwardedFor ?? '')
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)
      : [];
  chain.push(socketAddress ?? 'unknown');
  const address = chain[Math.max(0, chain.length - 1 - trustedHops)] ?? 'unknown';
  return addressKey(address);
}

/**
 * One key per client: an IPv4-mapped IPv6 address is its IPv4 address, and an IPv6 address
 * counts by its /64, since one host commonly holds a whole /64 and could rotate through it.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => (Number.parseInt(group, 16) || 0).toString(16))
    .join(':')}::/64`;
}
