import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../../shared/api/endpoints';
import { callAnnouncerFromEnv } from '../announcements/announcer-from-env';
import { apiRoute } from '../http/api-route';
import type { ManagerContext } from '../http/manager-context';

/** The SIP proxy's authorize / extend / complete / release calls (shared-secret header). */
export function registerCallRoutes(app: FastifyInstance, ctx: ManagerContext): void {
  // The balance announcement of paid calls (manager/src/announcements), when CABINE_ANNOUNCEMENT_DIR is set.
  const announce = callAnnouncerFromEnv(process.env, ctx, app.log);
  apiRoute(app, ctx, endpoints.authorizeCall, async ({ body }) => {
    const answer = await ctx.wallet.authorizeCall(body);
    const announcement = announce ? await announce(answer, body.sipDomain) : null;
    return announcement ? { ...answer, ...announcement } : answer;
  });
  apiRoute(app, ctx, endpoints.extendCall, ({ body }) => ctx.wallet.extendCall(body.callId));
  apiRoute(app, ctx, endpoints.completeCall, ({ body }) => ctx.wallet.completeCall(body.callId, body.answeredSeconds));
  apiRoute(app, ctx, endpoints.releaseCall, ({ body }) => ctx.wallet.releaseCall(body.callId));
}
