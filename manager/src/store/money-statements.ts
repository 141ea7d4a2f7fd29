import type { CompanyRow, FundingSnapshot, OutsideCallsRow, ReservationRow, UserRow } from './repository';

/**
 * A call's authorize and complete in one write round trip each (docs/manager.md, "Scale"), where the
 * engine has a network between the service and the data (PostgreSQL; migration 10). The service reads
 * the facts without a lock, decides with the same TypeScript rules as its locked transaction
 * (shared/billing/call-policy.ts), then one statement takes the company lock, checks that the facts it
 * decided on still hold, and writes. When they do not (another call of the company got in between), the
 * statement writes nothing and answers `stale`: the service then runs its locked transaction, which reads
 * and decides again. So the outcome is always the one the locked transaction would have reached.
 */
export interface MoneyStatements {
  /** The company of `sipDomain`, its user at `extension`, that user's outside-call row and funding snapshot, in one read. */
  callerFacts(args: CallerFactsQuery): Promise<CallerFacts | null>;
  /** Claims the call id, checks `expected` under the company lock and inserts `row`; false: nothing written (stale or id already seen). */
  reserve(row: ReservationRow, expected: ExpectedFunds | null, notify: boolean): Promise<boolean>;
  /** The reservation of `callId`, its company and the caller's extension, in one read; null for an unknown id. */
  completionFacts(callId: string): Promise<CompletionFacts | null>;
  /** Charges a still-active call whose maximum is unchanged (and, for `costMinor` > 0, whose wallet covers it); null: nothing written. */
  charge(args: ChargeArgs): Promise<{ readonly seq: number | null; readonly balanceAfterMinor: number } | null>;
}

export interface CallerFactsQuery {
  readonly sipDomain: string;
  readonly extension: string;
  readonly now: number;
  /** Start of today's UTC day: summed only when the company has a daily cap, as fundingSnapshot does. */
  readonly dayStart: number;
  readonly monthStart: number;
}

export interface CallerFacts {
  readonly company: CompanyRow;
  /** The user at the extension (deactivated ones included; the caller decides), or null. */
  readonly user: UserRow | null;
  readonly outsideCalls: OutsideCallsRow | null;
  /** The funding snapshot for the user's new call at `now` (null without a user). */
  readonly snapshot: FundingSnapshot | null;
}

/** What a paid call's reservation was computed from: checked again under the lock. */
export interface ExpectedFunds {
  readonly balanceMinor: number;
  readonly dailyCapMinor: number | null;
  readonly snapshot: FundingSnapshot;
  readonly dayStart: number;
  readonly monthStart: number;
}

export interface CompletionFacts {
  readonly reservation: ReservationRow;
  readonly company: CompanyRow;
  /** The caller's extension, written into the charge's details; null when the user row has none. */
  readonly callerExtension: string | null;
}

export interface ChargeArgs {
  readonly callId: string;
  readonly companyId: string;
  /** The reservation's maximum the charge was computed with (an extend changes it). */
  readonly maxSeconds: number;
  readonly answeredSeconds: number;
  readonly billedSeconds: number;
  /** Not capped at the balance: a wallet that no longer covers it is stale (the locked path caps). */
  readonly costMinor: number;
  readonly now: number;
  readonly txnId: string;
  readonly details: string;
  readonly walletAccount: string;
  readonly counterAccount: string;
  /** Notify the wallet's listeners even when nothing is charged (a paid call's end frees its funds). */
  readonly notify: boolean;
}
