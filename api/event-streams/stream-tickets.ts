import { createHash, randomBytes } from 'node:crypto';
import type { Caller } from '../auth/caller';
import type { StreamTicketStore } from '../store/event-stream-tickets';

export interface IssuedTicket {
  ticket: string;
  expiresAt: string;
}

/** Only the hash is stored: a leaked table opens no stream. */
const hashOf = (ticket: string): string => createHash('sha256').update(ticket).digest('hex');

/**
 * Short-lived, single-use tickets that open one order's event stream, for browsers: an
 * EventSource cannot send Authorization, and a long-lived token must never sit in a URL.
 */
export class StreamTickets {
  constructor(
    private readonly store: StreamTicketStore,
    private readonly ttlMs: number,
  ) {}

  async issue(orderId: string, caller: Caller): Promise<IssuedTicket> {
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.ttlMs);
    await this.store.saveTicket(hashOf(ticket), orderId, caller, expiresAt);
    return { ticket, expiresAt: expiresAt.toISOString() };
  }

  /** The caller the ticket was issued to, once; null when it is unknown, used, expired or for another order. */
  redeem(ticket: string, orderId: string): Promise<Caller | null> {
    return this.store.takeTicket(hashOf(ticket), orderId);
  }
}
