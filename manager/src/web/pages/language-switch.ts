import type { FastifyInstance } from 'fastify';
import { languageCookieName, serializeCookie } from '../../http/cookies';
import { localPath } from '../form';

export interface LanguageSwitchDeps {
  readonly cookieSecure: boolean;
}

/** GET /lang?to=fr&back=/path: the layout's language link; remembers the choice in a cookie for a year. */
export function registerLanguageSwitch(app: FastifyInstance, deps: LanguageSwitchDeps): void {
  app.get('/lang', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const to = query.to === 'fr' ? 'fr' : 'en';
    reply.header('set-cookie', serializeCookie(languageCookieName, to, { maxAgeSeconds: 365 * 24 * 3600, httpOnly: true, secure: deps.cookieSecure }));
    return reply.redirect(localPath(query.back, '/'), 303);
  });
}
