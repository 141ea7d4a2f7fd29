import type { OutsideCallsSetting, OutsideCallsView } from '../../../shared/api/barring-schemas';
import type { CallBarring } from '../../../shared/billing/barring';
import type { AuditActor } from '../audit/audit-trail';
import { recordAudit } from '../audit/audit-trail';
import { ApiError } from '../http/api-error';
import type { Repository, Store, UserRow } from '../store/repository';

/**
 * The admins' company rules that are not money movements: the daily spending cap, premium barring and the
 * outside-call scope per user, and the high-risk destinations switch. One place for the API and the Settings page, so both enforce the
 * same checks. Role checks stay with the callers (the API's `auth: 'admin'`, the page's role test). Each
 * write records its audit entry (`actor`) in its own transaction: both commit, or neither.
 */

/** Sets the daily cap on call spending (null: no cap), under the company lock like every wallet write. */
export async function setCompanyDailyCap(repository: Repository, companyId: string, dailyCapMinor: number | null, actor: AuditActor, now: number): Promise<void> {
  if (dailyCapMinor !== null && (!Number.isSafeInteger(dailyCapMinor) || dailyCapMinor <= 0)) {
    throw new ApiError(400, 'validation_failed', 'The daily cap must be a positive amount, or none');
  }
  await repository.transaction(async (tx) => {
    await tx.lockCompany(companyId);
    await tx.setDailyCap(companyId, dailyCapMinor);
    await recordAudit(tx, { companyId, actor, action: 'daily_cap.changed', details: { dailyCapMinor }, at: now });
  });
}

/**
 * Allows or blocks high-risk destination classes for the whole company. Taken under the company lock, so a
 * change orders with the authorisations that read it.
 */
export async function setCompanyHighRisk(repository: Repository, companyId: string, allowed: boolean, actor: AuditActor, now: number): Promise<void> {
  await repository.transaction(async (tx) => {
    await tx.lockCompany(companyId);
    await tx.setHighRiskAllowed(companyId, allowed);
    await recordAudit(tx, { companyId, actor, action: 'high_risk.changed', details: { allowed }, at: now });
  });
}

/** Bars or allows paid-service numbers for one user of the company; another company's user is "not found". */
export async function setUserPremiumBarring(repository: Repository, companyId: string, userId: string, barred: boolean, actor: AuditActor, now: number): Promise<UserRow> {
  return repository.transaction(async (tx) => {
    const target = await tx.getUser(userId);
    // Another company's user is reported as missing, not forbidden: ids must not leak across companies.
    if (!target || target.companyId !== companyId) throw new ApiError(404, 'not_found', 'No such user');
    await tx.setPremiumBarred(target.id, barred);
    await recordAudit(tx, { companyId, actor, action: 'barring.changed', target: target.id, details: { premiumBarred: barred }, at: now });
    return { ...target, premiumBarred: barred };
  });
}

/** Everything that bars `user`'s calls, as the shared rule (shared/billing/barring.ts) takes it. */
export async function callBarringOf(store: Pick<Store, 'getOutsideCalls'>, user: UserRow): Promise<CallBarring> {
  const row = await store.getOutsideCalls(user.id);
  return {
    premiumBarred: user.premiumBarred,
    scope: row?.scope ?? 'all',
    countries: row && row.countries.length > 0 ? row.countries.split(',') : [],
  };
}

/** A company user by id; another company's user (or an operator) is "not found", never "forbidden". */
async function companyUser(store: Store, companyId: string, userId: string): Promise<UserRow> {
  const target = await store.getUser(userId);
  if (!target || target.companyId !== companyId) throw new ApiError(404, 'not_found', 'No such user');
  return target;
}

/** The outside-call scope of one user of the company, with the premium switch beside it. */
export async function userOutsideCalls(repository: Repository, companyId: string, userId: string): Promise<OutsideCallsView> {
  const user = await companyUser(repository.store, companyId, userId);
  const barring = await callBarringOf(repository.store, user);
  return { userId: user.id, scope: barring.scope, countries: [...barring.countries], premiumBarred: barring.premiumBarred };
}

/**
 * Sets how far one user's outside calls may go (admins; the caller checks the role). `setting` is already
 * validated (outsideCallsSettingSchema); countries are stored sorted, so the same choice is the same row.
 */
export async function setUserOutsideCalls(repository: Repository, companyId: string, userId: string, setting: OutsideCallsSetting, actor: AuditActor, now: number): Promise<OutsideCallsView> {
  return repository.transaction(async (tx) => {
    const user = await companyUser(tx, companyId, userId);
    const countries = setting.scope === 'countries' ? [...setting.countries].sort() : [];
    await tx.setOutsideCalls({ userId: user.id, scope: setting.scope, countries: countries.join(','), updatedAt: now });
    await recordAudit(tx, { companyId, actor, action: 'outside_calls.changed', target: user.id, details: { scope: setting.scope, countries }, at: now });
    return { userId: user.id, scope: setting.scope, countries, premiumBarred: user.premiumBarred };
  });
}
