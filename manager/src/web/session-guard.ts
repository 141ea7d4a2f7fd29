import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/auth-service';
import { ApiError } from '../http/api-error';
import type { Form } from './form';
import type { SessionReader, WebContext } from './web-context';
import { webContextOf } from './web-context';

/** A signed-in user of a company (not customer care), on a company page. */
export interface CompanyVisitor {
  readonly web: WebContext;
  readonly principal: Principal;
  readonly companyId: string;
}

/**
 * The signed-in company user, or null once the reply is a redirect: to the sign-in page (coming back to this
 * URL) without a session, to /care for an operator (who has no company).
 */
export async function requireCompanyUser(request: FastifyRequest, reply: FastifyReply, auth: SessionReader): Promise<CompanyVisitor | null> {
  const web = await webContextOf(request, auth);
  if (!web.principal) {
    await reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`, 303);
    return null;
  }
  if (!web.principal.user.companyId) {
    await reply.redirect('/care', 303);
    return null;
  }
  return { web, principal: web.principal, companyId: web.principal.user.companyId };
}

/** Every signed-in form carries the session's CSRF token; a mismatch is a 403 error page. */
export function checkCsrf(principal: Principal, form: Form): void {
  if (form._csrf !== principal.session.csrfToken) throw new ApiError(403, 'csrf_failed', 'The form expired; reload the page and try again');
}
