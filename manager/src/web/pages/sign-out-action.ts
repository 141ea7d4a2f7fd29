import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../../auth/auth-service';
import { parseCookies, serializeCookie, sessionCookieName } from '../../http/cookies';
import { formOf } from '../form';
import { checkCsrf } from '../session-guard';
import { webContextOf } from '../web-context';

export interface SignOutActionDeps {
  readonly auth: Pick<AuthService, 'authenticate' | 'signOut'>;
  readonly cookieSecure: boolean;
}

/** POST /sign-out (the layout's button): ends the session (CSRF checked when there is one), clears the cookie. */
export function registerSignOutAction(app: FastifyInstance, deps: SignOutActionDeps): void {
  app.post('/sign-out', async (request, reply) => {
    const web = await webContextOf(request, deps.auth);
    if (web.principal) {
      checkCsrf(web.principal, formOf(request));
      const token = parseCookies(request.headers.cookie).get(sessionCookieName);
      if (token) await deps.auth.signOut(token);
    }
    reply.header('set-cookie', serializeCookie(sessionCookieName, '', { maxAgeSeconds: 0, httpOnly: true, secure: deps.cookieSecure }));
    return reply.redirect('/sign-in', 303);
  });
}
