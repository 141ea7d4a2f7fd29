import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../../shared/api/endpoints';
import { apiRoute } from '../http/api-route';
import type { ManagerContext } from '../http/manager-context';

/** The SIP proxy's authorize / extend / complete / release calls (shared-secret header). */
export function registerCallRoutes(app: FastifyInstance, ctx: ManagerContext): void {
  apiRoute(app, ctx, endpoints.authorizeCall, ({ body }) => ctx.wallet.authorizeCall(body));
  apiRoute(app, ctx, endpoints.extendCall, ({ body }) => ctx.wallet.extendCall(body.callId));
  apiRoute(app, ctx, endpoints.completeCall, ({ body }) => ctx.wallet.completeCall(body.callId, body.answeredSeconds));
  apiRoute(app, ctx, endpoints.releaseCall, ({ body }) => ctx.wallet.releaseCall(body.callId));
}
