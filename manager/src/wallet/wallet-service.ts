import type { AuthorizeCallRequest, AuthorizeCallResponse, CompleteCallResponse, ExtendCallResponse, ReleaseCallResponse } from '../../../shared/api/call-schemas';
import type { TopUpResponse, TopUpView, WalletView } from '../../../shared/api/wallet-schemas';
import type { CurrencyCode } from '../../../shared/money/currency';
import type { AuditActor } from '../audit/audit-trail';
import { recordAudit } from '../audit/audit-trail';
import type { CardRow } from '../store/repository';
import { processRefill, recoverPendingRefills, refillAfterCardChange, setAutoRefill, startDueRetries } from './auto-refill';
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
    this.calls = { ...options, onRefillDue: (refillId) => this.chargeInBackground(refillId) };
  }

  /** Charges a committed refill after the commit, and the next one if it left the funds still low. */
  private chargeInBackground(refillId: string): void {
    this.background.run(this.chargeRefill(refillId));
  }

  private async chargeRefill(refillId: string): Promise<void> {
    const next = await processRefill(this.options, refillId);
    if (next !== null) this.chargeInBackground(next);
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
  cancelTopUp(id: string, reason: string, actor: AuditActor): Promise<TopUpResponse> {
    return cancelTopUp(this.options, id, reason, actor);
  }

  /** Admins change automatic refill; answers the wallet as it now is. */
  async setAutoRefill(companyId: string, settings: { enabled: boolean; thresholdMinor: number; amountMinor: number }, actor: AuditActor): Promise<WalletView> {
    // Turned on (or saved) with the funds already below the level: the refill starts at once.
    const refill = await setAutoRefill(this.options, companyId, settings, actor);
    if (refill) this.chargeInBackground(refill.id);
    return walletView(this.options, companyId);
  }

  /**
   * Keeps an already tokenized card as the company's card on file, with its audit entry in the same
   * transaction (never the card number: the provider's token and the last four digits), then
   * `cardChanged`.
   */
  async saveCard(card: Omit<CardRow, 'updatedAt'>, actor: AuditActor): Promise<void> {
    const now = this.options.now();
    await this.options.repository.transaction(async (tx) => {
      await tx.upsertCard({ ...card, updatedAt: now });
      await recordAudit(tx, { companyId: card.companyId, actor, action: 'card.changed', details: { brand: card.brand, last4: card.last4 }, at: now });
    });
    await this.cardChanged(card.companyId);
  }

  /** A new card on file: a refill retry waiting after a decline runs now (auto-refill.ts). */
  async cardChanged(companyId: string): Promise<void> {
    const refill = await refillAfterCardChange(this.options, companyId);
    if (refill) this.chargeInBackground(refill.id);
  }

  /** Charges the card for a pending refill and records approval or decline (and the next refill, if due). */
  processRefill(refillId: string): Promise<void> {
    return this.chargeRefill(refillId);
  }

  /**
   * Starts the automatic-refill retries whose scheduled time has come (after a decline: 1 h, 6 h, 24 h;
   * after the day's limit: when the oldest counted attempt is 24 h old) and charges them. The schedule is
   * stored on the company, so a restarted manager picks it up; `recoverPending` calls this on every sweep.
   */
  async runDueRefills(): Promise<number> {
    const started = await startDueRetries(this.options);
    for (const refillId of started) await this.chargeRefill(refillId);
    return started.length;
  }

  /**
   * Finishes work a crash interrupted: pending top-ups older than `minAgeMs` are charged again with the
   * same idempotency key (the provider replays its first answer), pending refills are processed, pending
   * refunds are retried, and scheduled refill retries that are due start. Safe to run on every instance
   * at any time.
   */
  async recoverPending(minAgeMs: number): Promise<{ topUps: number; refills: number; refunds: number; refillRetries: number }> {
    const topUps = await recoverPendingTopUps(this.options, minAgeMs);
    const refills = await recoverPendingRefills(this.options, (refillId) => this.chargeRefill(refillId));
    const refunds = await recoverPendingRefunds(this.options);
    const refillRetries = await this.runDueRefills();
    return { topUps, refills, refunds, refillRetries };
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
