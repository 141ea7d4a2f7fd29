import type { FastifyReply, FastifyRequest } from 'fastify';
import { html } from './html';
import { sendPage } from './page-reply';
import type { SessionReader } from './web-context';
import { webContextOf } from './web-context';

/** Renders an error as an HTML page (status, message) for a web route. */
export type WebErrorRenderer = (request: FastifyRequest, reply: FastifyReply, status: number, message: string) => Promise<FastifyReply>;

/** HTML error pages for the web routes (the API answers JSON): app.ts's not-found and error handlers call it. */
export function webErrorRenderer(auth: SessionReader): WebErrorRenderer {
  return async (request, reply, status, message) => {
    const web = await webContextOf(request, auth);
    const t = web.t;
    const text = status === 404 ? t.notFound : status === 403 ? `${t.forbidden} ${message}` : status >= 500 ? t.error : message;
    return sendPage(reply, web, request.url, t.appName, html`<p class="error" role="alert">${text}</p><p><a href="/">${t.backToAccount}</a></p>`, status);
  };
}
