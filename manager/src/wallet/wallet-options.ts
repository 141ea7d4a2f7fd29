import type { CallingPlan } from '../../../shared/numbering/calling-plan';
import type { PaymentProvider } from '../payments/payment-provider';
import type { RateCatalog } from '../rating/rate-catalog';
import type { Repository } from '../store/repository';

/** Where the wallet logs: pino's shape, narrowed to what it uses. */
export interface WalletLog {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
  info(object: object, message: string): void;
}

/**
 * Everything the wallet's modules depend on. Each module's functions take the part they need
 * (`Pick<WalletServiceOptions, ...>`), so a test or a caller sees what a function can touch.
 */
export interface WalletServiceOptions {
  readonly repository: Repository;
  readonly provider: PaymentProvider;
  readonly rates: RateCatalog;
  readonly plan: CallingPlan;
  readonly topUpAmountsMinor: readonly number[];
  readonly defaultSipDomain: string;
  readonly maxCallSeconds: number;
  readonly ringAllowanceSeconds: number;
  readonly maxRefillsPerDay: number;
  readonly refillDeclinesBeforeDisable: number;
  /** Delays before the retries after a decline (auto-refill.ts `defaultRefillRetryDelaysMs` when absent). */
  readonly refillRetryDelaysMs?: readonly number[];
  readonly lowBalanceMinor: number;
  readonly now: () => number;
  /** Called after a commit that changed a wallet, for live events in this process. */
  readonly onWalletChange: (companyId: string) => void;
  readonly log: WalletLog;
}
