import type { FastifyRequest } from 'fastify';

/** Query parameters whose values never reach the log (hand-off codes, tokens), whoever sends them. */
const secretQueryKeys = new Set(['code', 'token', 'access_token', 'password']);

/** `url` with the values of secret query parameters replaced by `[redacted]`; the rest is kept for operators. */
export function redactUrl(url: string): string {
  const index = url.indexOf('?');
  if (index < 0) return url;
  const pairs = url.slice(index + 1).split('&').map((pair) => {
    const equals = pair.indexOf('=');
    const rawKey = equals < 0 ? pair : pair.slice(0, equals);
    let key = rawKey;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    } catch {
      // A malformed escape: judge it by its raw text.
    }
    return equals >= 0 && secretQueryKeys.has(key.toLowerCase()) ? `${rawKey}=[redacted]` : pair;
  });
  return `${url.slice(0, index)}?${pairs.join('&')}`;
}

/**
 * Fastify's request serializer (lib/logger-pino.js `asReqValue`) with the URL redacted: the default logs
 * `req.url` with its query string on every "incoming request" line.
 */
export function requestLogView(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
