import { startEventStreams, type EventStreams } from '../../api/event-streams/event-streams';
import type { NotificationSource } from '../../api/event-streams/order-event-hub';
import type { StreamTicketStore } from '../../api/store/event-stream-tickets';
import type { AppConfig } from '../../config/env';
import type { Logger } from '../../logging/logger';

/** LISTEN/NOTIFY within the process, for the fast tier: `notify` reaches every listener of the channel. */
export function memoryNotifications(): NotificationSource {
  const listeners = new Map<string, Set<(payload: string) => void>>();
  return {
    async listen(channel, onNotify, onListen) {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set.add(onNotify));
      onListen();
      return { unlisten: async () => void set.delete(onNotify) };
    },
    async notify(channel, payload) {
      for (const listener of listeners.get(channel) ?? []) listener(payload);
    },
  };
}

/** Stream tickets in a Map, with the Postgres store's rules: once, for its order, before it expires. */
export function memoryTicketStore(): StreamTicketStore {
  const tickets = new Map<string, { orderId: string; caller: Parameters<StreamTicketStore['saveTicket']>[2]; expiresAt: Date }>();
  return {
    async saveTicket(ticketHash, orderId, caller, expiresAt) {
      tickets.set(ticketHash, { orderId, caller, expiresAt });
    },
    async takeTicket(ticketHash, orderId) {
      const ticket = tickets.get(ticketHash);
      if (!ticket || ticket.orderId !== orderId || ticket.expiresAt.getTime() <= Date.now()) return null;
      tickets.delete(ticketHash);
      return ticket.caller;
    },
  };
}

export const memoryEventStreams = (config: AppConfig, log: Logger): EventStreams =>
  startEventStreams(config, memoryNotifications(), memoryTicketStore(), log);
