import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../../shared/api/endpoints';
import { apiRoute } from '../http/api-route';
import type { ManagerContext } from '../http/manager-context';

/**
 * The SIP proxy's "is this one of our domains?" (shared secret): one Kamailio serves every company's SIP
 * domain, and the companies, onboarded here, are the only list of them (kamailio.cfg route[SERVED_DOMAIN]).
 */
export function registerSipDomainRoutes(app: FastifyInstance, ctx: ManagerContext): void {
  apiRoute(app, ctx, endpoints.proxySipDomain, async ({ body }) => ({
    served: (await ctx.repository.store.getCompanyByDomain(body.sipDomain.toLowerCase())) !== null,
  }));
}
