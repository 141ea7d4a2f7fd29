import type { FastifyInstance } from 'fastify';
import type { SessionReader } from '../web-context';
import { webContextOf } from '../web-context';

export interface HomeRedirectDeps {
  readonly auth: SessionReader;
}

/** GET /: customer care to /care, a company user to the Prepaid Account, anyone else to the sign-in page. */
export function registerHomeRedirect(app: FastifyInstance, deps: HomeRedirectDeps): void {
  app.get('/', async (request, reply) => {
    const web = await webContextOf(request, deps.auth);
    return reply.redirect(web.principal ? (web.principal.user.role === 'operator' ? '/care' : '/prepaid') : '/sign-in', 303);
  });
}
