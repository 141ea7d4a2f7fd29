/**
 * The add-funds page of the manager, reached through a one-time hand-off (the app's bearer token becomes a
 * browser session on the manager's own origin). Both hosts open the URL this returns: the desktop in its
 * add-funds window, the web softphone in a new tab.
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
  // The hand-off path is the manager's; refuse anything that would leave its origin.
  const url = `${c.origin}${handoff.value.url}`;
  if (!handoff.value.url.startsWith('/') || handoff.value.url.startsWith('//') || !isOnOrigin(url, c.origin)) {
    return managerFailure('server', 'The manager answered a hand-off URL outside its origin');
  }
  return managerOk(url);
}
