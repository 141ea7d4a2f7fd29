import { defaultCallingPlan } from '../../../shared/numbering/calling-plan';
import { sampleRateDeckPath } from '../../../manager/src/config';
import { SandboxCardProcessor } from '../../../manager/src/payments/sandbox-card-processor';
import { loadRateCatalog } from '../../../manager/src/rating/rate-catalog';
import type { Repository } from '../../../manager/src/store/repository';
import { WalletService } from '../../../manager/src/wallet/wallet-service';

/** The company every load and crash scenario uses. */
export const loadCompany = { id: 'cmp_load', domain: 'load.test', thresholdMinor: 5000, refillMinor: 10000 } as const;

const quietLog = { warn: () => undefined, error: (object: object, message: string) => console.error(message, object), info: () => undefined };

/** A wallet service over `repository` configured like the real one (sample deck, default plan, sandbox). */
export function walletFor(repository: Repository): WalletService {
  return new WalletService({
    repository,
    provider: new SandboxCardProcessor(),
    rates: loadRateCatalog(sampleRateDeckPath),
    plan: defaultCallingPlan,
    topUpAmountsMinor: [1000, 2500, 5000, 10000],
    defaultSipDomain: loadCompany.domain,
    maxCallSeconds: 600,
    ringAllowanceSeconds: 60,
    maxRefillsPerDay: 1_000_000,
    refillDeclinesBeforeDisable: 3,
    lowBalanceMinor: 500,
    now: Date.now,
    onWalletChange: () => undefined,
    log: quietLog,
  });
}

/** Creates the load company (idempotent): a user on 1001, an approved card, auto-refill on. */
export async function setupLoadCompany(repository: Repository): Promise<void> {
  const provider = new SandboxCardProcessor();
  const card = await provider.tokenizeCard({ number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' });
  await repository.transaction(async (tx) => {
    if (await tx.getCompany(loadCompany.id)) return;
    const now = Date.now();
    await tx.insertCompany({
      id: loadCompany.id, name: 'Load Co', currency: 'EUR', country: 'FR', sipDomain: loadCompany.domain, balanceMinor: 0, lastSeq: 0,
      autoRefillEnabled: true, autoRefillThresholdMinor: loadCompany.thresholdMinor, autoRefillAmountMinor: loadCompany.refillMinor,
      // High-risk destinations allowed: a fifth of the load calls go to an expensive satellite number.
      autoRefillDeclines: 0, autoRefillDisabledReason: null, dailyCapMinor: null, highRiskAllowed: true, createdAt: now,
    });
    await tx.insertUser({ id: 'usr_load', companyId: loadCompany.id, email: 'load@load.test', displayName: 'Load', role: 'admin', extension: '1001', passwordHash: 'x', premiumBarred: false, createdAt: now });
    await tx.upsertCard({ companyId: loadCompany.id, providerToken: card.token, brand: card.brand, last4: card.last4, expMonth: 12, expYear: 2099, updatedAt: now });
  });
}

/** What one load run did. */
export interface LoadStats {
  ops: number;
  topUpsSucceeded: number;
  topUpsReplayedOrBusy: number;
  callsAllowed: number;
  callsRefused: number;
  chargedMinor: number;
  errors: number;
}

/** A small deterministic PRNG (mulberry32), so a run can be replayed from its seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const destinations = ['+881612345678', '+12125550100', '+447400900123', '+2348031234567', '+0899123456'.replace('+0', '0')];

/**
 * Runs `ops` operations with `concurrency` in flight: about a third top-ups (keys drawn from a small shared
 * space, so different workers collide on purpose), the rest authorize-then-complete calls that debit the
 * wallet (a fifth of them to an expensive satellite number) so the balance keeps crossing the refill threshold.
 */
export async function runLoad(wallet: WalletService, options: { ops: number; concurrency: number; seed: number; keySpace: number; callPrefix: string }): Promise<LoadStats> {
  const random = prng(options.seed);
  const stats: LoadStats = { ops: 0, topUpsSucceeded: 0, topUpsReplayedOrBusy: 0, callsAllowed: 0, callsRefused: 0, chargedMinor: 0, errors: 0 };
  const amounts = [1000, 2500, 5000, 10000];
  let next = 0;
  const one = async (index: number): Promise<void> => {
    const roll = random();
    if (roll < 0.3) {
      const key = Math.floor(random() * options.keySpace);
      // The amount is a function of the key, so every worker sends the same body for the same key.
      const result = await wallet.topUp({ companyId: loadCompany.id, userId: 'usr_load', amountMinor: amounts[key % amounts.length] ?? 1000, currency: 'EUR', idempotencyKey: `load-key-${key}` });
      if (result.status === 201) stats.topUpsSucceeded += 1;
    } else {
      const callId = `${options.callPrefix}-${index}`;
      const dialed = destinations[Math.floor(random() * destinations.length)] ?? '';
      const auth = await wallet.authorizeCall({ callId, callerExtension: '1001', sipDomain: loadCompany.domain, dialed });
      if (!auth.allowed) {
        stats.callsRefused += 1;
        return;
      }
      stats.callsAllowed += 1;
      // Mostly short calls, sometimes past the funded maximum (the proxy cuts them; the charge stops there).
      const answered = random() < 0.05 ? auth.maxDurationSeconds + 30 : Math.floor(random() * 150);
      if (random() < 0.1) {
        await wallet.releaseCall(callId);
      } else {
        const done = await wallet.completeCall(callId, answered);
        stats.chargedMinor += done.chargedMinor;
      }
    }
  };
  const worker = async (): Promise<void> => {
    while (next < options.ops) {
      const index = next;
      next += 1;
      try {
        await one(index);
      } catch (error) {
        if ((error as { code?: string }).code === 'idempotency_key_in_progress') stats.topUpsReplayedOrBusy += 1;
        else {
          stats.errors += 1;
          console.error(error);
        }
      }
      stats.ops += 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await wallet.settle();
  return stats;
}
