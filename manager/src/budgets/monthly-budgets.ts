import type { BudgetView } from '../../../shared/api/budget-schemas';
import { budgetLeft, maxMonthlyBudgetMinor, startOfNextUtcMonth, startOfUtcMonth } from '../../../shared/billing/monthly-budget';
import type { AuditActor } from '../audit/audit-trail';
import { recordAudit } from '../audit/audit-trail';
import { ApiError } from '../http/api-error';
import type { CompanyRow, Repository, Store, UserRow } from '../store/repository';

/**
 * Per-employee monthly budgets (docs/money-flow.md, "Monthly budgets"): the admin's part (set, clear, list)
 * and the quote's part (`budgetLeftFor`; authorize and extend read the same figures in one round trip,
 * Store.fundingSnapshot in wallet/call-charging.ts). Role
 * checks stay with the callers (the API's `auth: 'admin'`, the Settings page's role test); every write takes
 * the company lock, so a change orders with the authorizations that read it.
 */

/**
 * What `userId`'s budget leaves for one call, for the policy's `budgetLeftMinor`: null without a budget
 * (then nothing more is read). `ownReservedMinor`: the part of the user's active reservations that belongs
 * to the call being funded (0 for a new call, its reservation for an extension), which is not "another
 * call". The quote (routes/rate-routes.ts) reads it without the lock: an estimate, never a reservation.
 */
export async function budgetLeftFor(tx: Store, userId: string, now: number, ownReservedMinor: number): Promise<number | null> {
  const budget = await tx.getUserBudget(userId);
  if (budget === null) return null;
  const spentThisMonthMinor = await tx.sumUserCallChargesSince(userId, startOfUtcMonth(now));
  const userOtherReservedMinor = Math.max(0, (await tx.sumUserActiveReservations(userId, now)) - ownReservedMinor);
  return budgetLeft({ budgetMinor: budget.monthlyBudgetMinor, spentThisMonthMinor, userOtherReservedMinor });
}

/** A user of the company; another company's user, or none, is "not found" (ids must not leak across companies). */
async function companyUser(store: Store, companyId: string, userId: string): Promise<UserRow> {
  const user = await store.getUser(userId);
  if (!user || user.companyId !== companyId) throw new ApiError(404, 'not_found', 'No such user');
  return user;
}

async function viewOf(store: Store, company: CompanyRow, user: UserRow, now: number): Promise<BudgetView> {
  const budget = await store.getUserBudget(user.id);
  const monthStart = startOfUtcMonth(now);
  const spentThisMonthMinor = await store.sumUserCallChargesSince(user.id, monthStart);
  const reservedMinor = await store.sumUserActiveReservations(user.id, now);
  const monthlyBudgetMinor = budget?.monthlyBudgetMinor ?? null;
  return {
    userId: user.id, displayName: user.displayName, extension: user.extension, currency: company.currency,
    monthlyBudgetMinor, spentThisMonthMinor, reservedMinor,
    leftMinor: budgetLeft({ budgetMinor: monthlyBudgetMinor, spentThisMonthMinor, userOtherReservedMinor: reservedMinor }),
    monthStart: new Date(monthStart).toISOString(), resetsAt: new Date(startOfNextUtcMonth(now)).toISOString(),
  };
}

async function companyOf(store: Store, companyId: string): Promise<CompanyRow> {
  const company = await store.getCompany(companyId);
  if (!company) throw new ApiError(404, 'not_found', 'No such company');
  return company;
}

/** One user's budget view (the user's own, or an admin's look at one of the company's users). */
export async function userBudget(repository: Repository, companyId: string, userId: string, now: number): Promise<BudgetView> {
  const store = repository.store;
  const company = await companyOf(store, companyId);
  return viewOf(store, company, await companyUser(store, companyId, userId), now);
}

/** Every user of the company who can place calls (has an extension), with their budget. */
export async function companyBudgets(repository: Repository, companyId: string, now: number): Promise<BudgetView[]> {
  const store = repository.store;
  const company = await companyOf(store, companyId);
  const users = (await store.listUsers(companyId)).filter((user) => user.extension !== null);
  return Promise.all(users.map((user) => viewOf(store, company, user, now)));
}

/**
 * Sets (or, with null, clears) one user's monthly budget. Lowering it below what the user already spent
 * is allowed: the next call is refused `monthly_budget`; calls in progress keep the time they were given
 * (a budget, like the daily cap, never cuts a call the proxy already timed).
 */
export async function setUserBudget(
  repository: Repository, args: { companyId: string; userId: string; monthlyBudgetMinor: number | null; actor: AuditActor; now: number },
): Promise<BudgetView> {
  const { monthlyBudgetMinor } = args;
  if (monthlyBudgetMinor !== null && (!Number.isSafeInteger(monthlyBudgetMinor) || monthlyBudgetMinor <= 0 || monthlyBudgetMinor > maxMonthlyBudgetMinor)) {
    throw new ApiError(400, 'validation_failed', 'The monthly budget must be a positive amount, or none');
  }
  await repository.transaction(async (tx) => {
    await tx.lockCompany(args.companyId);
    const user = await companyUser(tx, args.companyId, args.userId);
    if (monthlyBudgetMinor === null) await tx.deleteUserBudget(user.id);
    else await tx.setUserBudget({ userId: user.id, companyId: args.companyId, monthlyBudgetMinor, updatedBy: args.actor.id ?? args.actor.email, updatedAt: args.now });
    // In the same transaction: the budget and its audit entry commit together, or neither.
    await recordAudit(tx, { companyId: args.companyId, actor: args.actor, action: 'budget.changed', target: user.id, details: { monthlyBudgetMinor }, at: args.now });
  });
  return userBudget(repository, args.companyId, args.userId, args.now);
}
