import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../../shared/api/endpoints';
import { apiRoute, companyIdOf } from '../http/api-route';
import type { ManagerContext } from '../http/manager-context';
import { callReceipt } from '../receipts/call-receipts';

/** A charged call's receipt: the caller's own, or any of the company's for an admin; else 404. */
export function registerReceiptRoutes(app: FastifyInstance, ctx: ManagerContext): void {
  apiRoute(app, ctx, endpoints.callReceipt, ({ principal, params }) =>
    callReceipt(ctx.repository.store, { userId: principal.user.id, companyId: companyIdOf(principal), role: principal.user.role }, params.seq));
}
