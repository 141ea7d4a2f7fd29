import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { handoffTargets } from '../../../shared/api/auth-schemas';
import { languageCookieName, parseCookies, serializeCookie, sessionCookieName } from '../http/cookies';
import type { ManagerContext } from '../http/manager-context';
import { newToken } from '../ids';
import { html, page } from './html';
import { messages, pickLanguage } from './i18n';

/** The binding cookie: set by GET /handoff, echoed in the page's form, required by POST /handoff. */
export const handoffBindingCookie = 'cabine_handoff';
const bindingLifetimeSeconds = 60;
const codePattern = /^[A-Za-z0-9_-]{20,100}$/;

/**
 * The page's only script: takes the code from the fragment (which browsers never send to the server),
 * removes it from the address bar and history, and posts it with the binding value. Allowed by its hash.
 */
const handoffScript = `(function(){var f=document.getElementById('handoff-form');var m=/^#code=([A-Za-z0-9_-]{20,100})$/.exec(location.hash);
history.replaceState(null,'',location.pathname);if(!f)return;if(!m){document.getElementById('handoff-no-code').hidden=false;return;}
document.getElementById('handoff-code').value=m[1];if(f.getAttribute('data-auto')==='1'){f.submit();}else{f.hidden=false;}})();`;
const handoffScriptHash = createHash('sha256').update(handoffScript).digest('base64');
const handoffCsp = `default-src 'none'; script-src 'sha256-${handoffScriptHash}'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

function sameValue(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Whether a POST comes from a page of this manager: `Sec-Fetch-Site: same-origin` when the browser sends
 * Fetch Metadata, and an `Origin` naming this host when it sends one; at least one of them must be there.
 * (https://w3c.github.io/webappsec-fetch-metadata/, RFC 6454 §7.)
 */
export function isSameOriginPost(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  if (site === undefined && origin === undefined) return false;
  if (site !== undefined && site !== 'same-origin') return false;
  if (origin !== undefined) {
    const host = /^https?:\/\/([^/]+)$/i.exec(origin)?.[1];
    if (host === undefined || host.toLowerCase() !== String(request.headers.host ?? '').toLowerCase()) return false;
  }
  return true;
}

type HandoffRefusal = 'code_in_url' | 'not_same_origin' | 'no_binding' | 'malformed_code' | 'unknown_expired_or_used';

/**
 * The hand-off: the app asks the API for a one-time code (POST /api/v1/handoff, 60 s) and opens
 * `/handoff#code=…` in a browser. The code never travels in a URL the server sees, so it reaches no
 * access log, proxy log or Referer. GET /handoff only serves the page and its binding cookie; the page posts
 * the code back with that cookie's value (double submit), from this origin. The session cookie then goes to
 * the browser that loaded the page and posted the code. GET never redeems: a `?code=` in the URL is refused.
 *
 * Any well-formed code presented, refused or not, is used up (burnt): a code that reached the wrong place
 * (a URL, a forged post) is not left for a second try; the app asks for a fresh one on the next click.
 */
export function registerHandoffRoutes(app: FastifyInstance, ctx: ManagerContext): void {
  const burn = async (code: unknown): Promise<void> => {
    if (typeof code === 'string' && codePattern.test(code)) await ctx.auth.redeemHandoff(code);
  };

  const refuse = (request: FastifyRequest, reply: FastifyReply, reason: HandoffRefusal): FastifyReply => {
    // The code itself is never logged; the request serializer also redacts it from URLs.
    request.log.warn({ event: 'handoff_refused', reason, ip: request.ip }, 'hand-off refused');
    reply.header('set-cookie', serializeCookie(handoffBindingCookie, '', { maxAgeSeconds: 0, httpOnly: true, secure: ctx.config.cookieSecure }));
    return reply.header('referrer-policy', 'no-referrer').redirect('/sign-in?handoff=invalid', 303);
  };

  app.get('/handoff', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    if (query.code !== undefined) {
      await burn(query.code);
      return refuse(request, reply, 'code_in_url');
    }
    const cookies = parseCookies(request.headers.cookie);
    const lang = pickLanguage(cookies.get(languageCookieName), request.headers['accept-language']);
    const t = messages[lang];
    const binding = newToken();
    // A link followed from another site could carry an attacker's own code (login CSRF): ask first.
    const auto = request.headers['sec-fetch-site'] !== 'cross-site';
    const body = html`<p id="handoff-status" role="status">${auto ? t.handoffOpening : t.handoffConfirm}</p>
<p id="handoff-no-code" class="error" role="alert" hidden>${t.handoffNoCode} <a href="/sign-in">${t.signIn}</a></p>
<noscript><p class="error" role="alert">${t.handoffNoScript} <a href="/sign-in">${t.signIn}</a></p></noscript>
<form id="handoff-form" method="post" action="/handoff" data-auto="${auto ? '1' : '0'}" hidden>
<input type="hidden" name="_csrf" value="${binding}"><input type="hidden" id="handoff-code" name="code" value="">
<div><button type="submit">${t.handoffContinue}</button></div></form>
<script>${{ html: handoffScript }}</script>`;
    return reply
      .header('set-cookie', serializeCookie(handoffBindingCookie, binding, { maxAgeSeconds: bindingLifetimeSeconds, httpOnly: true, secure: ctx.config.cookieSecure }))
      .header('content-security-policy', handoffCsp)
      // Not no-referrer: with it Chromium posts `Origin: null`. The code is in the fragment, which no
      // Referer ever carries, and the script removes it from the address bar before posting.
      .header('referrer-policy', 'same-origin')
      .header('cache-control', 'no-store')
      .header('content-type', 'text/html; charset=utf-8')
      .send(page({ lang, t, title: t.handoffOpening.replace('…', ''), path: '/handoff', signedIn: null, body }));
  });

  app.post('/handoff', async (request, reply) => {
    const form = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
    const code = form.code;
    // Burn first: whatever else is wrong with this post, the code it carried is not usable again.
    if (typeof code !== 'string' || !codePattern.test(code)) return refuse(request, reply, 'malformed_code');
    const redeemed = await ctx.auth.redeemHandoff(code);
    if (!isSameOriginPost(request)) return refuse(request, reply, 'not_same_origin');
    const binding = parseCookies(request.headers.cookie).get(handoffBindingCookie);
    if (binding === undefined || typeof form._csrf !== 'string' || !sameValue(binding, form._csrf)) return refuse(request, reply, 'no_binding');
    if (!redeemed) return refuse(request, reply, 'unknown_expired_or_used');
    const { token, session } = await ctx.auth.openSession(redeemed.user, 'web');
    request.log.info({ event: 'handoff_redeemed', userId: redeemed.user.id, ip: request.ip }, 'hand-off redeemed');
    reply.header('set-cookie', [
      serializeCookie(sessionCookieName, token, { maxAgeSeconds: Math.floor((session.expiresAt - ctx.now()) / 1000), httpOnly: true, secure: ctx.config.cookieSecure }),
      serializeCookie(handoffBindingCookie, '', { maxAgeSeconds: 0, httpOnly: true, secure: ctx.config.cookieSecure }),
    ]);
    const next = (handoffTargets as readonly string[]).includes(redeemed.nextPath) ? redeemed.nextPath : '/prepaid';
    return reply.header('referrer-policy', 'no-referrer').redirect(next, 303);
  });
}
