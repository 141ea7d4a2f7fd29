import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { EndpointSpec } from '../../../shared/api/endpoints';
import type { Principal } from '../auth/auth-service';
import { ApiError } from './api-error';
import { parseCookies, sessionCookieName } from './cookies';
import type { ManagerContext } from './manager-context';

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

/** What a handler receives: parsed, validated input and, for signed-in endpoints, the principal. */
export interface RouteInput<S extends EndpointSpec> {
  readonly body: Infer<S['body']>;
  readonly query: Infer<S['query']>;
  readonly params: Infer<S['params']>;
  readonly principal: S['auth'] extends 'none' | 'proxy' ? null : Principal;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/** Validates with a zod schema; a failure becomes 400 with one issue per field. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  throw new ApiError(400, 'validation_failed', `Invalid ${where}`, result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  })));
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The principal for a request: bearer token (app), else session cookie (pages, CSRF-checked on writes). */
export async function principalOf(ctx: ManagerContext, request: FastifyRequest): Promise<Principal | null> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(authorization);
    if (!match?.[1]) throw new ApiError(401, 'unauthorized', 'Malformed Authorization header');
    const principal = await ctx.auth.authenticate(match[1], 'bearer');
    if (!principal) throw new ApiError(401, 'unauthorized', 'Invalid or expired token');
    return principal;
  }
  const cookie = parseCookies(request.headers.cookie).get(sessionCookieName);
  if (!cookie) return null;
  const principal = await ctx.auth.authenticate(cookie, 'cookie');
  if (principal && unsafeMethods.has(request.method)) {
    const header = request.headers['x-csrf-token'];
    if (typeof header !== 'string' || !safeEqual(header, principal.session.csrfToken)) throw new ApiError(403, 'csrf_failed', 'Missing or wrong X-CSRF-Token');
  }
  return principal;
}

/** The principal's company id; 403 for operators, who belong to none. */
export function companyIdOf(principal: Principal): string {
  if (!principal.user.companyId) throw new ApiError(403, 'forbidden', 'This needs a company account');
  return principal.user.companyId;
}

/**
 * Registers one endpoint from its shared description: authentication and role by `spec.auth`, then params,
 * query and body validated by the spec's zod schemas (strict objects: unknown fields are refused).
 */
export function apiRoute<S extends EndpointSpec>(
  app: FastifyInstance,
  ctx: ManagerContext,
  spec: S,
  handler: (input: RouteInput<S>) => Promise<unknown>,
): void {
  app.route({
    method: spec.method,
    url: spec.path,
    handler: async (request, reply) => {
      let principal: Principal | null = null;
      if (spec.auth === 'proxy') {
        const secret = request.headers['x-cabine-proxy-secret'];
        if (typeof secret !== 'string' || !safeEqual(secret, ctx.proxySecret)) throw new ApiError(401, 'unauthorized', 'Missing or wrong X-Cabine-Proxy-Secret');
      } else if (spec.auth !== 'none') {
        principal = await principalOf(ctx, request);
        if (!principal) throw new ApiError(401, 'unauthorized', 'Sign in first');
        if (spec.auth === 'admin' && principal.user.role !== 'admin') throw new ApiError(403, 'forbidden', 'Only company admins may do this');
        if (spec.auth === 'operator' && principal.user.role !== 'operator') throw new ApiError(403, 'forbidden', 'Only customer care may do this');
      }
      const input = {
        params: spec.params ? parseWith(spec.params, request.params, 'params') : undefined,
        query: spec.query ? parseWith(spec.query, request.query, 'query') : undefined,
        body: spec.body ? parseWith(spec.body, request.body, 'body') : undefined,
        principal,
        request,
        reply,
      } as RouteInput<S>;
      const status = Number(Object.keys(spec.responses)[0]);
      reply.code(status);
      const result = await handler(input);
      return status === 204 ? reply.send() : result;
    },
  });
}
