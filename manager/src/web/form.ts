import type { FastifyRequest } from 'fastify';

/** A posted form: app.ts parses `application/x-www-form-urlencoded` into string fields. */
export type Form = Record<string, string>;

/** The request's form fields; none when the body is not a form. */
export function formOf(request: FastifyRequest): Form {
  const body = request.body;
  if (!body || typeof body !== 'object') return {};
  return body as Form;
}

/** `value` when it is one of our own absolute paths, else `fallback`: never "//evil.example" or "https://...". */
export function localPath(value: unknown, fallback: string): string {
  return typeof value === 'string' && /^\/(?!\/)[A-Za-z0-9/_?=&.-]*$/.test(value) ? value : fallback;
}
