import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuthService } from '../../auth/auth-service';
import { ApiError } from '../../http/api-error';
import { parseCookies, serializeCookie, sessionCookieName } from '../../http/cookies';
import { newToken } from '../../ids';
import { formOf, localPath } from '../form';
import { html } from '../html';
import { sendPage } from '../page-reply';
import type { WebContext } from '../web-context';
import { webContextOf } from '../web-context';

/** The sign-in form's login-CSRF cookie (double submit): the form must carry the same random value. */
const loginCsrfCookie = 'cabine_login_csrf';

export interface SignInPageDeps {
  readonly auth: Pick<AuthService, 'authenticate' | 'signIn'>;
  readonly cookieSecure: boolean;
  readonly now: () => number;
}

/** The form, with a fresh login-CSRF value in its cookie and in the form. */
function sendSignInPage(reply: FastifyReply, web: WebContext, cookieSecure: boolean, next: string, error: string | null, status: number): FastifyReply {
  const csrf = newToken();
  reply.header('set-cookie', serializeCookie(loginCsrfCookie, csrf, { maxAgeSeconds: 3600, httpOnly: true, secure: cookieSecure }));
  return sendPage(reply, web, '/sign-in', web.t.signIn, html`
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/sign-in">
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="next" value="${next}">
<label for="email">${web.t.email}</label><input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">${web.t.password}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<div><button type="submit">${web.t.signIn}</button></div></form>`, status);
}

/**
 * GET /sign-in?next=&handoff=invalid and POST /sign-in: the session cookie, then the `next` page (our own
 * paths only; customer care always goes to /care). Wrong credentials 401, too many failures 429, a missing
 * or wrong login-CSRF value 403, each with the form again.
 */
export function registerSignInPage(app: FastifyInstance, deps: SignInPageDeps): void {
  app.get('/sign-in', async (request, reply) => {
    const web = await webContextOf(request, deps.auth);
    const query = request.query as Record<string, unknown>;
    return sendSignInPage(reply, { ...web, principal: null }, deps.cookieSecure, localPath(query.next, '/prepaid'), query.handoff === 'invalid' ? web.t.handoffInvalid : null, 200);
  });

  app.post('/sign-in', async (request, reply) => {
    const web = { ...(await webContextOf(request, deps.auth)), principal: null };
    const form = formOf(request);
    const next = localPath(form.next, '/prepaid');
    // Login CSRF: the form must carry the random value we set in a SameSite=Strict cookie (double submit).
    const cookie = parseCookies(request.headers.cookie).get(loginCsrfCookie);
    if (!cookie || form._csrf !== cookie) return sendSignInPage(reply, web, deps.cookieSecure, next, web.t.error, 403);
    try {
      const { token, session, user } = await deps.auth.signIn(String(form.email ?? ''), String(form.password ?? ''), request.ip, 'web');
      reply.header('set-cookie', serializeCookie(sessionCookieName, token, { maxAgeSeconds: Math.floor((session.expiresAt - deps.now()) / 1000), httpOnly: true, secure: deps.cookieSecure }));
      return reply.redirect(user.role === 'operator' ? '/care' : next, 303);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 429)) {
        return sendSignInPage(reply, web, deps.cookieSecure, next, error.status === 429 ? web.t.tooManyAttempts : web.t.wrongCredentials, error.status);
      }
      throw error;
    }
  });
}
