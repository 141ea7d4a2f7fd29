import type { CallingPlan } from '../../../shared/numbering/calling-plan';
import type { AuthService } from '../auth/auth-service';
import type { ManagerConfig } from '../config';
import type { WalletEventHub } from '../events/wallet-event-hub';
import type { PaymentProvider } from '../payments/payment-provider';
import type { RateCatalog } from '../rating/rate-catalog';
import type { Repository } from '../store/repository';
import type { WalletService } from '../wallet/wallet-service';

/** What route modules need, assembled once by `createManager`. */
export interface ManagerContext {
  readonly config: ManagerConfig;
  readonly repository: Repository;
  readonly wallet: WalletService;
  readonly auth: AuthService;
  readonly rates: RateCatalog;
  readonly provider: PaymentProvider;
  readonly hub: WalletEventHub;
  readonly plan: CallingPlan;
  readonly now: () => number;
  readonly sipSharedSecret: string;
  readonly proxySecret: string;
}
