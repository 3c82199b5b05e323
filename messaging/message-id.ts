import { createHash } from 'node:crypto';

// Fixed namespace so ids are stable across processes and releases.
const NAMESPACE = Buffer.from('6f1c1d0e8a5b4c1f9d3e2a7b5c4d3e2f', 'hex');

/**
 * RFC 9562 version-5 UUID of `name`. Events get ids derived from (order, step, event name),
 * so a retried activity writes the same id and the outbox's primary key absorbs the repeat.
 */
export function deterministicUuid(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const eventMessageId = (orderId: string, step: string, eventName: string): string =>
  deterministicUuid(`${orderId}/${step}/${eventName}`);
