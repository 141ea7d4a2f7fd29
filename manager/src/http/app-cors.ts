/**
 * Cross-origin access to the API for the web softphone, which is served from its own origin and calls the
 * manager with a bearer token (renderer/src/host/web-manager-link.ts). Fetch standard CORS protocol
 * (https://fetch.spec.whatwg.org/#http-cors-protocol): only origins listed in CABINE_APP_ORIGINS get an
 * Access-Control-Allow-Origin, only under /api/, and never with credentials: the app authenticates with
 * the Authorization header, so the manager's session cookie is never usable cross-origin.
 *
 * Headers go on the raw response (`setHeader`) so that the hijacked SSE stream, which writes its own head,
 * carries them too.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

const originSchema = z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/, 'an origin: scheme://host[:port]');

/** CABINE_APP_ORIGINS: comma-separated origins of the web softphone (e.g. "https://phone.example.fr"). */
export function appOriginsFromEnv(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const raw = env.CABINE_APP_ORIGINS ?? '';
  const origins = raw.split(',').map((value) => value.trim()).filter((value) => value !== '');
  for (const origin of origins) {
    const parsed = originSchema.safeParse(origin);
    if (!parsed.success) throw new Error(`Invalid CABINE_APP_ORIGINS entry ${JSON.stringify(origin)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return origins.map((origin) => origin.toLowerCase());
}

export function registerAppCors(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  if (allowedOrigins.length === 0) return;
  const allowed = new Set(allowedOrigins);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    const origin = request.headers.origin;
    reply.raw.setHeader('vary', 'Origin');
    if (typeof origin !== 'string' || !allowed.has(origin.toLowerCase())) return;
    reply.raw.setHeader('access-control-allow-origin', origin);
    if (request.method === 'OPTIONS') {
      reply.raw.setHeader('access-control-allow-methods', 'GET, POST, PUT');
      reply.raw.setHeader('access-control-allow-headers', 'authorization, content-type, idempotency-key, accept');
      reply.raw.setHeader('access-control-max-age', '600');
      await reply.code(204).send();
    }
  });
  // Preflights need a route to reach the hook; anything not answered there is a 404 like any unknown path.
  app.options('/api/*', async (_request, reply) => reply.code(404).send({ error: { code: 'not_found', message: 'No such route' } }));
}
