import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../../shared/api/endpoints';
import { auditEventView } from '../audit/audit-trail';
import { ApiError } from '../http/api-error';
import { apiRoute, companyIdOf } from '../http/api-route';
import type { ManagerContext } from '../http/manager-context';
import type { OnboardingDeps } from '../onboarding/onboard-company';
import { onboardCompany } from '../onboarding/onboard-company';
import type { PeopleService } from '../people/people-service';

/**
 * People (admins), passwords (everyone; links need no session), onboarding (customer care), the audit trail
 * (admins: their company; customer care: all) and the proxy's revocation list. Roles are the endpoints'
 * `auth`; ids of another company are 404 in the people service.
 */
export function registerPeopleRoutes(app: FastifyInstance, ctx: ManagerContext, people: PeopleService, onboarding: OnboardingDeps): void {
  apiRoute(app, ctx, endpoints.listPeople, async ({ principal }) => ({ people: await people.list(companyIdOf(principal)) }));

  apiRoute(app, ctx, endpoints.addPerson, async ({ principal, body }) => {
    const { person } = await people.add(companyIdOf(principal), principal.user, body);
    return { person, welcomeSentTo: person.email };
  });

  apiRoute(app, ctx, endpoints.updatePerson, ({ principal, params, body }) => people.update(companyIdOf(principal), principal.user, params.id, body));
  apiRoute(app, ctx, endpoints.deactivatePerson, ({ principal, params }) => people.deactivate(companyIdOf(principal), principal.user, params.id));
  apiRoute(app, ctx, endpoints.reactivatePerson, ({ principal, params }) => people.reactivate(companyIdOf(principal), principal.user, params.id));
  apiRoute(app, ctx, endpoints.removePerson, async ({ principal, params }) => {
    await people.remove(companyIdOf(principal), principal.user, params.id);
    return null;
  });

  apiRoute(app, ctx, endpoints.sendPasswordReset, async ({ principal, params }) => {
    const { sentTo, expiresAt } = await people.sendReset(companyIdOf(principal), principal.user, params.id);
    return { sentTo, expiresAt: new Date(expiresAt).toISOString() };
  });

  apiRoute(app, ctx, endpoints.changePassword, async ({ principal, body }) => {
    await people.changeOwnPassword(principal.user, principal.session.tokenHash, body.currentPassword, body.newPassword, 5, 15 * 60 * 1000);
    return null;
  });

  apiRoute(app, ctx, endpoints.setPassword, async ({ body }) => {
    await people.setPasswordWithLink(body.token, body.password);
    return null;
  });

  apiRoute(app, ctx, endpoints.onboardCompany, async ({ principal, body }) => {
    const { company, admin } = await onboardCompany(onboarding, principal.user, body);
    return { companyId: company.id, admin, welcomeSentTo: admin.email };
  });

  apiRoute(app, ctx, endpoints.audit, async ({ principal, query }) => {
    const operator = principal.user.role === 'operator';
    if (!operator && principal.user.role !== 'admin') throw new ApiError(403, 'forbidden', 'Only company admins and customer care may read the audit trail');
    if (!operator && query.companyId !== undefined && query.companyId !== principal.user.companyId) throw new ApiError(404, 'not_found', 'No such company');
    const companyId = operator ? (query.companyId ?? null) : companyIdOf(principal);
    const rows = await ctx.repository.store.listAudit(companyId, query.before ?? null, query.limit);
    return { events: rows.map(auditEventView) };
  });

  apiRoute(app, ctx, endpoints.sipRevocations, async ({ query }) => {
    const rows = (await ctx.repository.store.listSipRevocations(Math.floor(ctx.now() / 1000))).slice(query.offset, query.offset + query.limit);
    return { revocations: rows.map((row) => ({ key: `${row.extension}@${row.sipDomain}`, refuseExpiryUpto: row.refuseExpiryUpto })) };
  });
}
