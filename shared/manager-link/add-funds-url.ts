/**
 * The add-funds page of the manager, reached through a one-time hand-off (the app's bearer token becomes a
 * browser session on the manager's own origin). Both hosts open the URL this returns: the desktop in its
 * add-funds window, the web softphone in a new tab. The app builds the page URL itself from the code, with
 * the code in the fragment, whatever path the manager answered.
 */
import type { ManagerClient } from './manager-client';
import { managerFailure, managerOk, type ManagerResult } from './manager-result';
import type { ManagerSession } from './manager-session';
import { isOnOrigin } from './manager-url';

/** Asks the manager for a hand-off to its add-funds page; only company admins add funds. */
export async function addFundsUrl(c: ManagerClient, session: ManagerSession | undefined): Promise<ManagerResult<string>> {
  if (session?.user.role !== 'admin') return managerFailure('forbidden', 'Only company admins add funds', 'forbidden');
  const handoff = await c.handoff({ next: '/prepaid/add-funds' });
  if (!handoff.ok) return handoff;
  const url = handoffPageUrl(c.origin, handoff.value.code);
  if (url === null) return managerFailure('server', 'The manager answered a malformed hand-off code');
  return managerOk(url);
}

/**
 * The manager's hand-off page with `code` in the URL fragment (`/handoff#code=…`). Browsers never send a
 * fragment, so the code reaches no request line, server log, proxy log or Referer; the page's own script
 * reads it and posts it. Null for a code that is not the manager's URL-safe token form.
 */
export function handoffPageUrl(origin: string, code: string): string | null {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(code)) return null;
  const url = `${origin}/handoff#code=${code}`;
  return isOnOrigin(url, origin) ? url : null;
}
