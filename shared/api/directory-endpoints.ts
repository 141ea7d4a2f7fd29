import type { EndpointSpec } from './endpoints';
import { directoryQuerySchema, directoryResponseSchema } from './directory-schemas';

const p = (path: string): string => `/api/v1${path}`;

/** The company directory (Contacts in the app). */
export const directoryEndpoints = {
  directory: {
    method: 'GET', path: p('/directory'), auth: 'user', query: directoryQuerySchema, responses: { 200: directoryResponseSchema },
    summary: "The signed-in person's company directory: people with their extensions and numbers, ring groups, company numbers; emails for admins only.",
  },
} as const satisfies Record<string, EndpointSpec>;
