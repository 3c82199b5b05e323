/**
 * Who is calling, once authentication has run. A customer is the verified token's subject; an
 * admin is a token whose `roles` claim contains `admin`, or the operator's ADMIN_TOKEN.
 * Handlers decide what a caller may see with `ownsOrder` and `isAdminCaller`, never by reading
 * headers themselves.
 */
export type Caller = { kind: 'customer'; customerId: string } | { kind: 'admin'; subject: string; via: 'jwt' | 'admin-token' };

export const isAdminCaller = (caller: Caller | undefined): caller is Extract<Caller, { kind: 'admin' }> => caller?.kind === 'admin';

/** An admin may read any order; a customer only their own. Others get a 404, so existence is not disclosed. */
export const ownsOrder = (caller: Caller, orderCustomerId: string): boolean =>
  caller.kind === 'admin' || caller.customerId === orderCustomerId;
