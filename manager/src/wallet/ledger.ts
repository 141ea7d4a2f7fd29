import type { WalletView } from '../../../shared/api/wallet-schemas';
import { addMinor, subMinor } from '../../../shared/money/money';
import { ApiError } from '../http/api-error';
import { newId } from '../ids';
import type { CompanyRow, LedgerKind, Store } from '../store/repository';
import type { WalletServiceOptions } from './wallet-options';

/** Ledger accounts besides each company's wallet ("wallet:<companyId>"). */
export const ledgerAccounts = {
  /** Money received from card processors: goes negative as wallets are funded. */
  cardFunding: 'external:card-funding',
  /** What calls earned. */
  callRevenue: 'revenue:calls',
} as const;

/** The wallet's ledger account for a company. */
export function walletAccount(companyId: string): string {
  return `wallet:${companyId}`;
}

export const dayMs = 24 * 3600 * 1000;

/** Midnight UTC of the day `now` falls in: the daily cap's day. */
export function startOfUtcDay(now: number): number {
  return now - (now % dayMs);
}

/** One balanced two-leg transaction on a company's wallet. */
export interface AppendArgs {
  readonly company: CompanyRow;
  readonly kind: LedgerKind;
  readonly reference: string;
  readonly walletDeltaMinor: number;
  readonly counterAccount: string;
  readonly ratePrefix?: string | null;
  readonly deckVersion?: string | null;
  readonly details?: object | null;
}

/**
 * Appends a balanced two-leg transaction and moves the cached balance with it, in `tx`, which must hold
 * the company's lock (`lockCompany`): the balance read is the balance written. Refuses to go below zero.
 */
export async function appendTransaction(deps: Pick<WalletServiceOptions, 'now'>, tx: Store, args: AppendArgs): Promise<{ seq: number; balanceAfter: number }> {
  const balanceAfter = addMinor(args.company.balanceMinor, args.walletDeltaMinor);
  if (balanceAfter < 0) throw new ApiError(409, 'conflict', 'The wallet cannot go below zero');
  // The balance and the notification go with the append: one round trip under the lock on PostgreSQL.
  const seq = await tx.appendLedgerAndSetBalance({
    id: newId('txn'),
    companyId: args.company.id,
    kind: args.kind,
    reference: args.reference,
    currency: args.company.currency,
    walletDeltaMinor: args.walletDeltaMinor,
    balanceAfterMinor: balanceAfter,
    ratePrefix: args.ratePrefix ?? null,
    deckVersion: args.deckVersion ?? null,
    details: args.details ? JSON.stringify(args.details) : null,
    createdAt: deps.now(),
    legs: [
      { account: walletAccount(args.company.id), amountMinor: args.walletDeltaMinor },
      { account: args.counterAccount, amountMinor: subMinor(0, args.walletDeltaMinor) },
    ],
  });
  return { seq, balanceAfter };
}

/** Locks a company's row for the rest of `tx` (every money write starts here); 404 when there is none. */
export async function lockCompany(tx: Store, companyId: string): Promise<CompanyRow> {
  const company = await tx.lockCompany(companyId);
  if (!company) throw new ApiError(404, 'not_found', 'No such company');
  return company;
}

/** Balance, reservations, auto-refill, the low-balance flag and the daily cap. */
export async function walletView(deps: Pick<WalletServiceOptions, 'repository' | 'now' | 'lowBalanceMinor'>, companyId: string): Promise<WalletView> {
  const store = deps.repository.store;
  const company = await store.getCompany(companyId);
  if (!company) throw new ApiError(404, 'not_found', 'No such company');
  const now = deps.now();
  const reserved = await store.sumActiveReservations(companyId, now);
  const spentToday = await store.sumCallChargesSince(companyId, startOfUtcDay(now));
  const lowLevel = company.autoRefillEnabled ? company.autoRefillThresholdMinor : deps.lowBalanceMinor;
  return {
    companyId,
    balanceMinor: company.balanceMinor,
    reservedMinor: reserved,
    availableMinor: Math.max(0, company.balanceMinor - reserved),
    currency: company.currency,
    lowBalance: company.balanceMinor < lowLevel,
    autoRefill: {
      enabled: company.autoRefillEnabled,
      thresholdMinor: company.autoRefillThresholdMinor,
      amountMinor: company.autoRefillAmountMinor,
      consecutiveDeclines: company.autoRefillDeclines,
      disabledReason: company.autoRefillDisabledReason,
      nextAttemptAt: company.autoRefillEnabled && company.autoRefillRetryAt != null ? new Date(company.autoRefillRetryAt).toISOString() : null,
    },
    dailyCapMinor: company.dailyCapMinor,
    spentTodayMinor: spentToday,
  };
}
