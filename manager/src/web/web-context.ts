import type { FastifyRequest } from 'fastify';
import type { CurrencyCode } from '../../../shared/money/currency';
import { formatMoney } from '../../../shared/money/format-money';
import type { AuthService, Principal } from '../auth/auth-service';
import { languageCookieName, parseCookies, sessionCookieName } from '../http/cookies';
import type { Language, Messages } from './i18n';
import { messages, pickLanguage } from './i18n';

/** Who is looking at a page and in which language: read from the request's cookies once per request. */
export interface WebContext {
  readonly lang: Language;
  readonly t: Messages;
  readonly locale: string;
  /** The signed-in visitor (session cookie), or null. A bearer token never counts here. */
  readonly principal: Principal | null;
}

/** What the pages need from the authentication service to recognise a visitor. */
export type SessionReader = Pick<AuthService, 'authenticate'>;

/** The language (switch cookie, else Accept-Language) and the session cookie's principal. */
export async function webContextOf(request: FastifyRequest, auth: SessionReader): Promise<WebContext> {
  const cookies = parseCookies(request.headers.cookie);
  const lang = pickLanguage(cookies.get(languageCookieName), request.headers['accept-language']);
  const token = cookies.get(sessionCookieName);
  const principal = token ? await auth.authenticate(token, 'cookie') : null;
  return { lang, t: messages[lang], locale: lang === 'fr' ? 'fr-FR' : 'en-IE', principal };
}

/** An amount in minor units, written the visitor's way. */
export function formatMoneyFor(web: WebContext, amountMinor: number, currency: CurrencyCode): string {
  return formatMoney(amountMinor, currency, web.locale);
}
