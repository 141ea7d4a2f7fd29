import { ApiError } from '../http/api-error';
import type { Repository, UserRow } from '../store/repository';

/**
 * The admins' company rules that are not money movements: the daily spending cap, premium barring per user
 * and the high-risk destinations switch. One place for the API and the Settings page, so both enforce the
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
