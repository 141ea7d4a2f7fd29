import { z } from 'zod';
import type { EndpointSpec } from './endpoints';

/** The SIP proxy asks whether a SIP domain is a company's (kamailio.cfg route[SERVED_DOMAIN]). */
export const proxySipDomainQuerySchema = z.strictObject({ sipDomain: z.string().min(1).max(253) });
/** served: a company of this manager has that SIP domain (companies are never told apart here). */
export const proxySipDomainResponseSchema = z.strictObject({ served: z.boolean() });

const p = (path: string): string => `/api/v1${path}`;

/** One Kamailio serves every company's SIP domain: the list is the manager's (docs/sip-server.md). */
export const sipDomainEndpoints = {
  proxySipDomain: { method: 'POST', path: p('/proxy/sip-domain'), summary: "SIP proxy: is this SIP domain a company's? (It serves every company's domain.)", auth: 'proxy', body: proxySipDomainQuerySchema, responses: { 200: proxySipDomainResponseSchema } },
} as const satisfies Record<string, EndpointSpec>;
