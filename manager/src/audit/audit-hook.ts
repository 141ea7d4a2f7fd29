import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf } from '../http/api-route';
import { parseCookies, sessionCookieName } from '../http/cookies';
import type { ManagerContext } from '../http/manager-context';
import type { AuditAction } from './audit-trail';
import { recordAudit } from './audit-trail';

type Body = Record<string, unknown>;

interface AuditedRoute {
  readonly action: AuditAction;
  /** The target (a user or top-up id from the path; a top-up's idempotency key, so a replay names the same one). */
  readonly target?: (params: Record<string, string>, request: FastifyRequest, body: Body) => string | undefined;
  /** What to keep of the request body: never a card number, a CVC or a password. */
  readonly details?: (body: Body) => Record<string, unknown>;
  /** The company a customer-care write concerns (operators belong to none), from the path or the form. */
  readonly companyOf?: (params: Record<string, string>, body: Body) => string | undefined;
}

const pick = (...keys: string[]) => (body: Body): Record<string, unknown> => Object.fromEntries(keys.filter((key) => key in body).map((key) => [key, body[key]]));
const byId = (params: Record<string, string>): string | undefined => params.id ?? params.userId;
const headerKey = (request: FastifyRequest): string | undefined => {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' ? `key:${key.slice(0, 128)}` : undefined;
};

/**
 * The writes other modules own (wallet, settings, barring, budgets, customer care), audited at the HTTP
 * boundary once they succeeded (status below 400), for the API and the pages alike, keyed by
 * "<method> <route pattern>". A failed or refused write leaves no entry.
 */
const auditedRoutes: Readonly<Record<string, AuditedRoute>> = {
  'POST /api/v1/wallet/topups': { action: 'funds.added', target: (_params, request) => headerKey(request), details: pick('amountMinor', 'currency') },
  'POST /prepaid/add-funds': { action: 'funds.added', target: (_params, _request, body) => (typeof body.idempotencyKey === 'string' ? `key:${body.idempotencyKey.slice(0, 128)}` : undefined), details: pick('amountMinor') },
  'PUT /api/v1/wallet/auto-refill': { action: 'refill.changed', details: pick('enabled', 'thresholdMinor', 'amountMinor') },
  'POST /prepaid/settings': { action: 'refill.changed', details: (body) => ({ enabled: body.enabled === '1', thresholdMinor: Number(body.thresholdMinor), amountMinor: Number(body.amountMinor) }) },
  'PUT /api/v1/wallet/card': { action: 'card.changed' },
  'POST /prepaid/settings/card': { action: 'card.changed' },
  'PUT /api/v1/users/:id/barring': { action: 'barring.changed', target: byId, details: pick('premiumBarred') },
  'POST /prepaid/settings/barring': {
    action: 'barring.changed',
    details: (body) => ({ premiumBarred: Object.fromEntries(String(body.users ?? '').split(',').filter((id) => id.length > 0).slice(0, 500).map((id) => [id, body[`bar_${id}`] === '1'])) }),
  },
  'PUT /api/v1/users/:id/outside-calls': { action: 'outside_calls.changed', target: byId, details: pick('scope', 'countries') },
  'POST /prepaid/settings/outside-calls': { action: 'outside_calls.changed', details: pick('userId', 'scope', 'countries') },
  'PUT /api/v1/users/:id/budget': { action: 'budget.changed', target: byId, details: pick('monthlyBudgetMinor') },
  'POST /prepaid/budgets/:userId': { action: 'budget.changed', target: byId, details: pick('budget') },
  'PUT /api/v1/company/daily-cap': { action: 'daily_cap.changed', details: pick('dailyCapMinor') },
  'POST /prepaid/settings/daily-cap': { action: 'daily_cap.changed', details: pick('dailyCap') },
  'PUT /api/v1/company/high-risk': { action: 'high_risk.changed', details: pick('allowed') },
  'POST /prepaid/settings/high-risk': { action: 'high_risk.changed', details: (body) => ({ allowed: body.allowed === '1' }) },
  'POST /api/v1/care/topups/:id/cancel': { action: 'topup.cancelled', target: byId, details: pick('reason') },
  'POST /care/topups/:id/cancel': { action: 'topup.cancelled', target: byId, details: pick('reason') },
  // Company numbers (manager/src/numbers): customer care's and the admins' writes, API and pages.
  'POST /api/v1/care/companies/:companyId/numbers': { action: 'number.added', details: pick('e164', 'label'), companyOf: (params) => params.companyId },
  'POST /care/numbers': { action: 'number.added', details: pick('e164', 'label'), companyOf: (_params, body) => (typeof body.company === 'string' ? body.company : undefined) },
  'POST /api/v1/care/numbers/:id/remove': { action: 'number.removed', target: byId },
  'POST /care/numbers/:id/remove': { action: 'number.removed', target: byId, companyOf: (_params, body) => (typeof body.company === 'string' ? body.company : undefined) },
  'PUT /api/v1/numbers/:id/assignment': { action: 'number.assigned', target: byId, details: pick('kind', 'userId', 'groupId') },
  'POST /prepaid/numbers/:id/assign': { action: 'number.assigned', target: byId, details: pick('target') },
  'PUT /api/v1/company/main-number': { action: 'main_number.changed', details: pick('numberId') },
  'POST /prepaid/numbers/main': { action: 'main_number.changed', details: pick('numberId') },
  'POST /api/v1/ring-groups': { action: 'ring_group.saved', details: pick('name', 'memberIds') },
  'PUT /api/v1/ring-groups/:id': { action: 'ring_group.saved', target: byId, details: pick('name', 'memberIds') },
  'POST /prepaid/ring-groups': { action: 'ring_group.saved', details: (body) => ({ name: body.name, memberIds: Object.keys(body).filter((key) => key.startsWith('member_')).map((key) => key.slice(7)) }) },
  'POST /prepaid/ring-groups/:id': { action: 'ring_group.saved', target: byId, details: (body) => ({ name: body.name, memberIds: Object.keys(body).filter((key) => key.startsWith('member_')).map((key) => key.slice(7)) }) },
};

/** The signed-in person behind a request (bearer or cookie), or null; never throws. */
async function actorOf(ctx: ManagerContext, request: FastifyRequest) {
  try {
    if (request.headers.authorization !== undefined) return (await principalOf(ctx, request))?.user ?? null;
    const cookie = parseCookies(request.headers.cookie).get(sessionCookieName);
    return cookie ? ((await ctx.auth.authenticate(cookie, 'cookie'))?.user ?? null) : null;
  } catch {
    return null;
  }
}

/**
 * Records the audited writes of `auditedRoutes` once they succeeded, before the answer leaves (onSend), so
 * whoever got the answer finds the entry. A failure to record is logged, never raised.
 */
export function registerAuditHook(app: FastifyInstance, ctx: ManagerContext): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400) return payload;
    const route = auditedRoutes[`${request.method} ${request.routeOptions.url ?? ''}`];
    if (!route) return payload;
    try {
      const actor = await actorOf(ctx, request);
      if (!actor) return payload;
      const params = (request.params ?? {}) as Record<string, string>;
      const body = (request.body !== null && typeof request.body === 'object' ? request.body : {}) as Body;
      const target = route.target?.(params, request, body) ?? null;
      let companyId = actor.companyId;
      if (companyId === null && route.action === 'topup.cancelled' && target !== null) companyId = (await ctx.repository.store.getTopUp(target))?.companyId ?? null;
      if (companyId === null && route.companyOf) companyId = route.companyOf(params, body) ?? null;
      await recordAudit(ctx.repository.store, { companyId, actor, action: route.action, target, details: route.details?.(body) ?? null, at: ctx.now() });
    } catch (error) {
      request.log.error({ err: error, route: request.routeOptions.url }, 'audit trail: could not record');
    }
    return payload;
  });
}
