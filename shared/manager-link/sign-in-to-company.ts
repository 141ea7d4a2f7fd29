/**
 * Signing in to a company account, for the company link both hosts run (company-link.ts): check the
 * manager address, sign in, and accept the account only when it belongs to a company. Where the token is
 * kept afterwards is the link's vault's business.
 */
import type { ManagerClient } from './manager-client';
import { managerFailure, managerOk, type ManagerResult } from './manager-result';
import type { ManagerSession, ManagerSignIn } from './manager-session';
import { parseManagerUrl } from './manager-url';

/** A signed-in company account: the bearer token and what the UI may see. */
export interface CompanySignIn {
  readonly token: string;
  readonly session: ManagerSession;
}

/**
 * Signs in with `request`. `clientFor` builds a client for the manager's origin that sends the token it is
 * given (null until the sign-in answers). An account of no company is signed out again and refused.
 */
export async function signInToCompany(
  request: ManagerSignIn,
  clientFor: (origin: string, token: () => string | null) => ManagerClient,
): Promise<ManagerResult<CompanySignIn>> {
  const url = parseManagerUrl(request.managerUrl);
  if (!url.ok) {
    return url.reason === 'insecure'
      ? managerFailure('refused', 'The manager address must use https', 'insecure_url')
      : managerFailure('refused', 'Not a manager address', 'invalid_url');
  }
  let token: string | null = null;
  const c = clientFor(url.origin, () => token);
  const signedIn = await c.signIn({ email: request.email, password: request.password });
  if (!signedIn.ok) return signedIn;
  token = signedIn.value.token;
  const me = await c.me();
  if (!me.ok) return me;
  if (me.value.company === null) {
    await c.signOut();
    return managerFailure('forbidden', 'This account belongs to no company', 'no_company');
  }
  return managerOk({ token, session: { origin: url.origin, user: me.value.user, company: me.value.company } });
}
