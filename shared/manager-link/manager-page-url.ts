/**
 * Manager pages the app opens signed in, through the same one-time hand-off as Add Funds
 * (add-funds-url.ts): People and the audit trail for company admins, your own password for everyone.
 * The people themselves are managed on the manager's pages (one implementation of every rule, in EN and FR).
 */
import type { ManagerClient } from './manager-client';
import { handoffPageUrl } from './add-funds-url';
import { managerFailure, managerOk, type ManagerResult } from './manager-result';
import type { ManagerSession } from './manager-session';

export const managerPageTargets = ['/prepaid/people', '/audit', '/account/password'] as const;
export type ManagerPageTarget = (typeof managerPageTargets)[number];

/** Pages only company admins may open; the manager checks again on every request. */
const adminPages: ReadonlySet<ManagerPageTarget> = new Set(['/prepaid/people', '/audit']);

export async function managerPageUrl(c: ManagerClient, session: ManagerSession | undefined, target: ManagerPageTarget): Promise<ManagerResult<string>> {
  if (session === undefined) return managerFailure('signed-out', 'Sign in first', 'signed_out');
  if (adminPages.has(target) && session.user.role !== 'admin') return managerFailure('forbidden', 'Only company admins manage people', 'forbidden');
  const handoff = await c.handoff({ next: target });
  if (!handoff.ok) return handoff;
  const url = handoffPageUrl(c.origin, handoff.value.code);
  if (url === null) return managerFailure('server', 'The manager answered a malformed hand-off code');
  return managerOk(url);
}
