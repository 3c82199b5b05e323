import type { MiddlewareHandler } from 'hono';
import { unauthorized } from '../auth/unauthorized';
import { ApiError } from '../errors';
import type { ApiEnv } from '../hono-env';
import type { StreamTickets } from './stream-tickets';

/**
 * On GET /orders/{id}/events only, before requireCaller: `?ticket=` stands in for the bearer
 * token. The ticket is used up here, and it names the caller it was issued to; it opens no other
 * route (elsewhere it is just an unknown query parameter, and as a bearer token it is no JWT).
 */
export function ticketCaller(tickets: StreamTickets): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const ticket = c.req.query('ticket');
    if (ticket === undefined) return next();
    if (c.get('caller')) {
      throw new ApiError(400, 'ambiguous_credentials', 'send a stream ticket or an Authorization header, not both', [
        { path: 'ticket', message: 'given with an Authorization header' },
      ]);
    }
    const caller = await tickets.redeem(ticket, c.req.param('id') ?? '');
    if (!caller) throw unauthorized('the stream ticket is unknown, expired, already used, or for another order', 'invalid_token');
    c.set('caller', caller);
    await next();
  };
}
