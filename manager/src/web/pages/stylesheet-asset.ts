import type { FastifyInstance } from 'fastify';
import { stylesheet } from '../html';

/** GET /assets/manager.css: the pages' one stylesheet (the CSP allows styles from this origin only). */
export function registerStylesheetAsset(app: FastifyInstance): void {
  app.get('/assets/manager.css', (_request, reply) => reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet));
}
