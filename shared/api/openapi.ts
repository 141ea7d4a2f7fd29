import { z } from 'zod';
import { apiBasePath, errorBodySchema } from './common-schemas';
import type { EndpointSpec } from './endpoints';
import { endpoints } from './endpoints';

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  // 'input' describes what a client sends (coerced query numbers are strings on the wire).
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

function parametersOf(spec: EndpointSpec): JsonObject[] {
  const parameters: JsonObject[] = [];
  for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema, 'input');
    const properties = (object.properties ?? {}) as Record<string, JsonObject>;
    const required = new Set((object.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      parameters.push({ name, in: where, required: where === 'path' || required.has(name), schema: property });
    }
  }
  if (spec.idempotent) {
    parameters.push({ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', minLength: 8, maxLength: 128 } });
  }
  if (spec.auth === 'proxy') {
    parameters.push({ name: 'X-Cabine-Proxy-Secret', in: 'header', required: true, schema: { type: 'string' } });
  }
  return parameters;
}

/** The OpenAPI 3.1 document of the manager's API, generated from the zod schemas in `endpoints`. */
export function buildOpenApiDocument(version: string): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const [name, spec] of Object.entries(endpoints) as Array<[string, EndpointSpec]>) {
    const path = spec.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const responses: Record<string, JsonObject> = {};
    for (const [status, schema] of Object.entries(spec.responses)) {
      const contentType = spec.produces ?? 'application/json';
      responses[status] = schema
        ? { description: 'Success', content: { [contentType]: { schema: jsonSchema(schema, 'output') } } }
        : { description: spec.produces ? 'Stream' : 'No content', ...(spec.produces ? { content: { [spec.produces]: {} } } : {}) };
    }
    responses.default = { description: 'Error', content: { 'application/json': { schema: jsonSchema(errorBodySchema, 'output') } } };
    const operation: JsonObject = {
      operationId: name,
      summary: spec.summary,
      parameters: parametersOf(spec),
      responses,
      security: spec.auth === 'none' ? [] : spec.auth === 'proxy' ? [{ proxySecret: [] }] : [{ bearer: [] }, { sessionCookie: [] }],
      'x-cabine-auth': spec.auth,
    };
    if (spec.body) operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } };
    paths[path] = { ...paths[path], [spec.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Cabine manager API', version, description: `All endpoints live under ${apiBasePath}. Amounts are integer minor units.` },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'cabine_session' },
        proxySecret: { type: 'apiKey', in: 'header', name: 'X-Cabine-Proxy-Secret' },
      },
    },
  };
}
