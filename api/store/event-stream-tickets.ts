import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { eventStreamTickets } from '../../drizzle/schema';
import type { Caller } from '../auth/caller';

/** Stream tickets in Postgres, by their hash, so one API instance redeems what another issued. */
export interface StreamTicketStore {
  /** Records a ticket and prunes those expired. */
  saveTicket(ticketHash: string, orderId: string, caller: Caller, expiresAt: Date): Promise<void>;
  /** Deletes the ticket and answers its caller when it is unexpired and for this order; otherwise null. */
  takeTicket(ticketHash: string, orderId: string): Promise<Caller | null>;
}

export function postgresTicketStore(db: Database): StreamTicketStore {
  return {
    async saveTicket(ticketHash, orderId, caller, expiresAt) {
      await db.delete(eventStreamTickets).where(lt(eventStreamTickets.expiresAt, sql`now()`));
      await db.insert(eventStreamTickets).values({ ticketHash, orderId, caller, expiresAt });
    },
    async takeTicket(ticketHash, orderId) {
      // One statement: of two concurrent redemptions, exactly one gets the row.
      const [row] = await db
        .delete(eventStreamTickets)
        .where(
          and(
            eq(eventStreamTickets.ticketHash, ticketHash),
            eq(eventStreamTickets.orderId, orderId),
            gt(eventStreamTickets.expiresAt, sql`now()`),
          ),
        )
        .returning({ caller: eventStreamTickets.caller });
      return row?.caller ?? null;
    },
  };
}
