import type { OnboardCompanyRequest, PersonView } from '../../../shared/api/people-schemas';
import { onboardCompanyRequestSchema } from '../../../shared/api/people-schemas';
import { defaultDailyCapMinor } from '../../../shared/billing/daily-cap';
import { extensionProblem } from '../../../shared/numbering/extension-range';
import type { AuditActor } from '../audit/audit-trail';
import { recordAudit } from '../audit/audit-trail';
import { ApiError } from '../http/api-error';
import { newId } from '../ids';
import { PeopleError } from '../people/people-errors';
import type { PeopleService } from '../people/people-service';
import type { CompanyRow, Repository } from '../store/repository';

export interface OnboardingDeps {
  readonly repository: Repository;
  readonly people: PeopleService;
  readonly now: () => number;
}

export interface OnboardingResult {
  readonly company: CompanyRow;
  readonly admin: PersonView;
}

/**
 * Customer care creates a company: name, country, currency, SIP domain, and its first admin, who gets a
 * welcome mail with a one-time link to set a password (people-service `add`). The one path for the pages,
 * the API, the command line (manager/scripts/create-company.ts) and the demo seed. A new company starts
 * empty (no card, no funds), with the default daily cap and high-risk destinations blocked, as every company.
 * `options.adminPassword` (the demo seed only) sets the admin's password instead of mailing a link.
 */
export async function onboardCompany(deps: OnboardingDeps, actor: AuditActor, rawInput: OnboardCompanyRequest, options: { companyId?: string; adminId?: string; adminPassword?: string } = {}): Promise<OnboardingResult> {
  const parsed = onboardCompanyRequestSchema.safeParse(rawInput);
  if (!parsed.success) throw new ApiError(400, 'validation_failed', 'Invalid company', parsed.error.issues.map((issue) => ({ path: ['body', ...issue.path.map(String)].join('.'), message: issue.message })));
  const input = parsed.data;
  const now = deps.now();
  const company: CompanyRow = {
    id: options.companyId ?? newId('cmp'), name: input.name, currency: input.currency, country: input.country, sipDomain: input.sipDomain,
    balanceMinor: 0, lastSeq: 0, autoRefillEnabled: false, autoRefillThresholdMinor: 500, autoRefillAmountMinor: 2500, autoRefillDeclines: 0,
    autoRefillDisabledReason: null, dailyCapMinor: defaultDailyCapMinor(input.currency), highRiskAllowed: false, createdAt: now,
  };
  // The admin is checked before the company is written, so a refused admin leaves no company without one.
  if (await deps.repository.store.getUserByEmail(input.admin.email)) throw new PeopleError(409, 'conflict', 'email_taken', 'Somebody already has an account with this email');
  if (input.admin.extension !== undefined && extensionProblem(input.admin.extension, input.country) !== null) {
    throw new PeopleError(400, 'validation_failed', 'extension_short_number', `${input.admin.extension} cannot be an extension in ${input.country}`, [{ path: 'body.admin.extension', message: 'short-number' }]);
  }
  try {
    await deps.repository.transaction(async (tx) => {
      if (await tx.getCompanyByDomain(company.sipDomain)) throw new PeopleError(409, 'conflict', 'domain_taken', `The SIP domain ${company.sipDomain} is already used by another company`);
      if (await tx.getCompany(company.id)) throw new ApiError(409, 'conflict', 'This company exists already');
      await tx.insertCompany(company);
      await recordAudit(tx, { companyId: company.id, actor, action: 'company.created', target: company.id, details: { name: company.name, country: company.country, currency: company.currency, sipDomain: company.sipDomain }, at: now });
    });
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    if (e.code === '23505' || (typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed'))) throw new PeopleError(409, 'conflict', 'domain_taken', 'That SIP domain was just taken');
    throw error;
  }
  const { person } = await deps.people.add(company.id, actor, {
    displayName: input.admin.displayName, email: input.admin.email, role: 'admin', premiumBarred: false,
    ...(input.admin.extension === undefined ? {} : { extension: input.admin.extension }),
  }, { ...(options.adminPassword === undefined ? {} : { password: options.adminPassword }), ...(options.adminId === undefined ? {} : { id: options.adminId }) });
  return { company, admin: person };
}
