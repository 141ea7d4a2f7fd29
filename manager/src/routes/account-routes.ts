import type { FastifyInstance } from 'fastify';
import type { CompanyView, UserView } from '../../../shared/api/auth-schemas';
import { endpoints } from '../../../shared/api/endpoints';
import { headerDisplayName } from '../../../shared/sip/display-name';
import { ephemeralSipCredentials } from '../auth/sip-credentials';
import { setCompanyDailyCap, setCompanyHighRisk, setUserPremiumBarring } from '../company/company-settings';
import { ApiError } from '../http/api-error';
import { turnIceServers } from '../turn/turn-credentials';
import { apiRoute, companyIdOf } from '../http/api-route';
import type { ManagerContext } from '../http/manager-context';
import type { CompanyRow, UserRow } from '../store/repository';

/** The public view of a user: never the password hash. */
export function userView(user: UserRow): UserView {
  return {
    id: user.id, email: user.email, displayName: user.displayName, role: user.role, extension: user.extension,
    companyId: user.companyId, premiumBarred: user.premiumBarred,
  };
}

export function companyView(company: CompanyRow): CompanyView {
  return { id: company.id, name: company.name, currency: company.currency, country: company.country, sipDomain: company.sipDomain, dailyCapMinor: company.dailyCapMinor };
}

/** Sign-in, identity, SIP configuration, hand-off codes and the admins' user settings. */
export function registerAccountRoutes(app: FastifyInstance, ctx: ManagerContext): void {
  const store = ctx.repository.store;

  apiRoute(app, ctx, endpoints.signIn, async ({ body, request }) => {
    const { token, session, user } = await ctx.auth.signIn(body.email, body.password, request.ip, 'app');
    return { token, expiresAt: new Date(session.expiresAt).toISOString(), user: userView(user) };
  });

  apiRoute(app, ctx, endpoints.signOut, async ({ request }) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token) await ctx.auth.signOut(token);
    return null;
  });

  apiRoute(app, ctx, endpoints.me, async ({ principal }) => {
    const company = principal.user.companyId ? await store.getCompany(principal.user.companyId) : null;
    return { user: userView(principal.user), company: company ? companyView(company) : null };
  });

  apiRoute(app, ctx, endpoints.sipConfig, async ({ principal }) => {
    const company = await store.getCompany(companyIdOf(principal));
    if (!company || !principal.user.extension) throw new ApiError(404, 'not_found', 'This user has no extension');
    // The company's domain is signed into the username: valid in that domain only, never as another company's extension.
    const credentials = ephemeralSipCredentials(ctx.sipSharedSecret, principal.user.extension, company.sipDomain, ctx.now(), ctx.config.sipCredentialTtlSeconds);
    return {
      wsUrl: ctx.config.sipWsUrl, domain: company.sipDomain, extension: principal.user.extension,
      authorizationUsername: credentials.username, password: credentials.password,
      expiresAt: new Date(credentials.expiresAtUnix * 1000).toISOString(),
      iceServers: turnIceServers(ctx.config, principal.user.extension, ctx.now()),
      // Checked on the way in, cleaned again on the way out: whatever the row holds, never a header break.
      displayName: headerDisplayName(principal.user.displayName, principal.user.extension),
    };
  });

  apiRoute(app, ctx, endpoints.handoff, async ({ principal, body }) => {
    const { code, expiresAt } = await ctx.auth.createHandoff(principal.user, body.next);
    // In the fragment: browsers never send it, so the code reaches no request line, log or Referer.
    return { code, url: `/handoff#code=${encodeURIComponent(code)}`, expiresAt: new Date(expiresAt).toISOString() };
  });

  apiRoute(app, ctx, endpoints.listUsers, async ({ principal }) => {
    const users = await store.listUsers(companyIdOf(principal));
    return { users: users.map(userView) };
  });

  apiRoute(app, ctx, endpoints.putBarring, async ({ principal, params, body }) =>
    userView(await setUserPremiumBarring(ctx.repository, companyIdOf(principal), params.id, body.premiumBarred, principal.user, ctx.now())));

  apiRoute(app, ctx, endpoints.getHighRisk, async ({ principal }) => {
    const company = await store.getCompany(companyIdOf(principal));
    if (!company) throw new ApiError(404, 'not_found', 'No such company');
    return { allowed: company.highRiskAllowed };
  });

  apiRoute(app, ctx, endpoints.putHighRisk, async ({ principal, body, request }) => {
    const companyId = companyIdOf(principal);
    await setCompanyHighRisk(ctx.repository, companyId, body.allowed, principal.user, ctx.now());
    request.log.info({ companyId, userId: principal.user.id, allowed: body.allowed }, 'high-risk destinations switch changed');
    return { allowed: body.allowed };
  });

  apiRoute(app, ctx, endpoints.putDailyCap, async ({ principal, body }) => {
    const companyId = companyIdOf(principal);
    await setCompanyDailyCap(ctx.repository, companyId, body.dailyCapMinor, principal.user, ctx.now());
    return ctx.wallet.walletView(companyId);
  });
}
