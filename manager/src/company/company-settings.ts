import type { OutsideCallsSetting, OutsideCallsView } from '../../../shared/api/barring-schemas';
import type { CallBarring } from '../../../shared/billing/barring';
import { ApiError } from '../http/api-error';
import type { Repository, Store, UserRow } from '../store/repository';

/**
 * The admins' company rules that are not money movements: the daily spending cap, premium barring and the
 * outside-call scope per user, and the high-risk destinations switch. One place for the API and the Settings page, so both enforce the
 * same checks. Role checks stay with the callers (the API's `auth: 'admin'`, the page's role test).
 */

/** Sets the daily cap on call spending (null: no cap), under the company lock like every wallet write. */
export async function setCompanyDailyCap(repository: Repository, companyId: string, dailyCapMinor: number | null): Promise<void> {
  if (dailyCapMinor !== null && (!Number.isSafeInteger(dailyCapMinor) || dailyCapMinor <= 0)) {
    throw new ApiError(400, 'validation_failed', 'The daily cap must be a positive amount, or none');
  }
  await repository.transaction(async (tx) => {
    await tx.lockCompany(companyId);
    await tx.setDailyCap(companyId, dailyCapMinor);
  });
}

/**
 * Allows or blocks high-risk destination classes for the whole company. Taken under the company lock, so a
 * change orders with the authorisations that read it.
 */
export async function setCompanyHighRisk(repository: Repository, companyId: string, allowed: boolean): Promise<void> {
  await repository.transaction(async (tx) => {
    await tx.lockCompany(companyId);
    await tx.setHighRiskAllowed(companyId, allowed);
  });
}

/** Bars or allows paid-service numbers for one user of the company; another company's user is "not found". */
export async function setUserPremiumBarring(repository: Repository, companyId: string, userId: string, barred: boolean): Promise<UserRow> {
  const target = await repository.store.getUser(userId);
  // Another company's user is reported as missing, not forbidden: ids must not leak across companies.
  if (!target || target.companyId !== companyId) throw new ApiError(404, 'not_found', 'No such user');
  await repository.store.setPremiumBarred(target.id, barred);
  return { ...target, premiumBarred: barred };
}

/** Everything that bars `user`'s calls, as the shared rule (shared/billing/barring.ts) takes it. */
export async function callBarringOf(store: Store, user: UserRow): Promise<CallBarring> {
  const row = await store.getOutsideCalls(user.id);
  return {
    premiumBarred: user.premiumBarred,
    scope: row?.scope ?? 'all',
    countries: row && row.countries.length > 0 ? row.countries.split(',') : [],
  };
}

/** A company user by id; another company's user (or an operator) is "not found", never "forbidden". */
async function companyUser(repository: Repository, companyId: string, userId: string): Promise<UserRow> {
  const target = await repository.store.getUser(userId);
  if (!target || target.companyId !== companyId) throw new ApiError(404, 'not_found', 'No such user');
  return target;
}

/** The outside-call scope of one user of the company, with the premium switch beside it. */
export async function userOutsideCalls(repository: Repository, companyId: string, userId: string): Promise<OutsideCallsView> {
  const user = await companyUser(repository, companyId, userId);
  const barring = await callBarringOf(repository.store, user);
  return { userId: user.id, scope: barring.scope, countries: [...barring.countries], premiumBarred: barring.premiumBarred };
}

/**
 * Sets how far one user's outside calls may go (admins; the caller checks the role). `setting` is already
 * validated (outsideCallsSettingSchema); countries are stored sorted, so the same choice is the same row.
 */
export async function setUserOutsideCalls(repository: Repository, companyId: string, userId: string, setting: OutsideCallsSetting, now: number): Promise<OutsideCallsView> {
  const user = await companyUser(repository, companyId, userId);
  const countries = setting.scope === 'countries' ? [...setting.countries].sort() : [];
  await repository.store.setOutsideCalls({ userId: user.id, scope: setting.scope, countries: countries.join(','), updatedAt: now });
  return { userId: user.id, scope: setting.scope, countries, premiumBarred: user.premiumBarred };
}
