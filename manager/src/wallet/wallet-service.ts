import type { AuthorizeCallRequest, AuthorizeCallResponse, CompleteCallResponse, ExtendCallResponse, ReleaseCallResponse } from '../../../shared/api/call-schemas';
import type { TopUpResponse, TopUpView, WalletView } from '../../../shared/api/wallet-schemas';
import type { CurrencyCode } from '../../../shared/money/currency';
import { processRefill, recoverPendingRefills, setAutoRefill } from './auto-refill';
import { BackgroundWork } from './background-work';
import type { CallChargingDeps } from './call-charging';
import { authorizeCall, completeCall, extendCall, releaseCall } from './call-charging';
import { walletView } from './ledger';
import { cancelTopUp, getTopUp, recoverPendingRefunds, recoverPendingTopUps, topUp } from './top-ups';
import type { WalletServiceOptions } from './wallet-options';

export { ledgerAccounts, walletAccount } from './ledger';
export { topUpView } from './top-ups';
export type { WalletServiceOptions } from './wallet-options';

/**
 * Everything that moves money, behind one object for the routes: the ledger (`ledger.ts`), top-ups
 * (`top-ups.ts`), automatic refill (`auto-refill.ts`) and call authorisation and charging
 * (`call-charging.ts`). Every write runs in one repository transaction that starts by locking the company
 * row, so the balance it reads is the balance it writes (docs/money-flow.md). This class only wires the
 * modules together and owns the background work (refill charges) they start.
 */
export class WalletService {
  private readonly background: BackgroundWork;
  private readonly calls: CallChargingDeps;

  constructor(private readonly options: WalletServiceOptions) {
    this.background = new BackgroundWork(options.log);
    this.calls = { ...options, onRefillDue: (refillId) => this.background.run(processRefill(options, refillId)) };
  }

  /** Waits for background work (refill charges) started so far; used by shutdown and tests. */
  settle(): Promise<void> {
    return this.background.settle();
  }

  /** Balance, reservations, auto-refill and the low-balance flag. */
  walletView(companyId: string): Promise<WalletView> {
    return walletView(this.options, companyId);
  }

  /** Adds funds from the card on file; idempotent by `idempotencyKey` (top-ups.ts). */
  topUp(args: { companyId: string; userId: string; amountMinor: number; currency: CurrencyCode; idempotencyKey: string }): Promise<{ status: number; body: TopUpResponse }> {
    return topUp(this.options, args);
  }

  /** One top-up of a company (receipt); 404 for another company's id. */
  getTopUp(companyId: string | null, id: string): Promise<TopUpView> {
    return getTopUp(this.options, companyId, id);
  }

  /** Customer care cancels a top-up: a reversing transaction, then the card refund. */
  cancelTopUp(id: string, reason: string): Promise<TopUpResponse> {
    return cancelTopUp(this.options, id, reason);
  }

  /** Admins change automatic refill; answers the wallet as it now is. */
  async setAutoRefill(companyId: string, settings: { enabled: boolean; thresholdMinor: number; amountMinor: number }): Promise<WalletView> {
    await setAutoRefill(this.options, companyId, settings);
    return walletView(this.options, companyId);
  }

  /** Charges the card for a pending refill and records approval or decline. */
  processRefill(refillId: string): Promise<void> {
    return processRefill(this.options, refillId);
  }

  /**
   * Finishes work a crash interrupted: pending top-ups older than `minAgeMs` are charged again with the
   * same idempotency key (the provider replays its first answer), pending refills are processed, pending
   * refunds are retried. Safe to run on every instance at any time.
   */
  async recoverPending(minAgeMs: number): Promise<{ topUps: number; refills: number; refunds: number }> {
    const topUps = await recoverPendingTopUps(this.options, minAgeMs);
    const refills = await recoverPendingRefills(this.options);
    const refunds = await recoverPendingRefunds(this.options);
    return { topUps, refills, refunds };
  }

  /** May this call go ahead, and for how long (call-charging.ts, the call policy)? Idempotent by call id. */
  authorizeCall(request: AuthorizeCallRequest): Promise<AuthorizeCallResponse> {
    return authorizeCall(this.calls, request);
  }

  /** A call in progress may run longer after new money; never shorter. */
  extendCall(callId: string): Promise<ExtendCallResponse> {
    return extendCall(this.calls, callId);
  }

  /** The call ended after `answeredSeconds`: charge it exactly once. */
  completeCall(callId: string, answeredSeconds: number): Promise<CompleteCallResponse> {
    return completeCall(this.calls, callId, answeredSeconds);
  }

  /** The attempt failed: free its reservation, or leave a tombstone for an id never authorized. */
  releaseCall(callId: string): Promise<ReleaseCallResponse> {
    return releaseCall(this.calls, callId);
  }
}
