import type { FastifyReply } from 'fastify';
import type { SafeHtml } from './html';
import { page } from './html';
import type { WebContext } from './web-context';

/** Sends a page in the shared layout (navigation and sign-out when signed in), never cached. */
export function sendPage(reply: FastifyReply, web: WebContext, path: string, title: string, body: SafeHtml, status = 200): FastifyReply {
  const signedIn = web.principal ? { displayName: web.principal.user.displayName, csrf: web.principal.session.csrfToken, role: web.principal.user.role } : null;
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(page({ lang: web.lang, t: web.t, title, path, signedIn, body }));
}
