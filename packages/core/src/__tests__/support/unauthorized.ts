import { createAuthorizer, type Session, type Ticket } from '@reauth/core';

/**
 * A request the session's adapter sends now, refused with a 401 that calls for a refresh, as an adapter reports
 * it. Resolves with the ticket its replay is sent with (null: the 401 goes back to the caller); rejects as the
 * adapter's request would.
 */
export async function unauthorized(session: Session): Promise<Ticket | null> {
  const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
  const ticket = await authorizer.authorize({ url: '/items' });
  return authorizer.handleUnauthorized(ticket, { status: 401, shouldRefresh: true });
}
