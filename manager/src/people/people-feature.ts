import type { FastifyInstance } from 'fastify';
import type { ManagerContext } from '../http/manager-context';
import type { Mailer } from '../mail/mailer';
import { mailerFromEnv } from '../mail/mailer-from-env';
import type { OnboardingDeps } from '../onboarding/onboard-company';
import { registerPeopleRoutes } from '../routes/people-routes';
import { registerPeoplePages } from '../web/pages/people-pages';
import { PeopleService } from './people-service';
import { sipRevokerFromEnv } from './sip-revoker';

/** What the people feature built, for the manager's wiring and its tests. */
export interface PeopleFeature {
  readonly people: PeopleService;
  readonly mailer: Mailer;
  readonly onboarding: OnboardingDeps;
}

/**
 * Onboarding, people, passwords, the audit trail and SIP revocation: builds the mailer (CABINE_MAILER) and
 * the proxy link (CABINE_KAMAILIO_RPC_URL) from the environment, then registers the API and the pages. One
 * call from createManager. (Every audited write records its entry in its own transaction: audit-trail.ts.)
 */
export function registerPeopleFeature(app: FastifyInstance, ctx: ManagerContext, env: NodeJS.ProcessEnv = process.env): PeopleFeature {
  const mailer = mailerFromEnv(env, ctx.config.environment === 'production', ctx.now, ctx.config.publicUrl);
  const people = new PeopleService({
    repository: ctx.repository, mailer, revoker: sipRevokerFromEnv(env, ctx.proxySecret), publicUrl: ctx.config.publicUrl, now: ctx.now,
    scryptLogN: ctx.config.scryptLogN, sipCredentialTtlSeconds: ctx.config.sipCredentialTtlSeconds, log: app.log,
    onSessionsEnded: (tokenHashes) => ctx.auth.sessionsEnded(tokenHashes),
  });
  const onboarding: OnboardingDeps = { repository: ctx.repository, people, now: ctx.now };
  registerPeopleRoutes(app, ctx, people, onboarding);
  registerPeoplePages(app, { ctx, people, onboarding, mailer });
  return { people, mailer, onboarding };
}
