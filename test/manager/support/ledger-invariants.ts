import { callCostMinor } from '../../../shared/rating/tariff';
import type { Repository } from '../../../manager/src/store/repository';

/**
 * Checks, from the stored rows, the invariants the concurrency and crash tests promise beyond the
 * repository's own integrity check: top-up keys applied at most once, no call charged beyond what it
 * reserved, exactly one refill row per downward threshold crossing and none elsewhere.
 */
export async function checkLoadInvariants(repository: Repository, companyId: string, thresholdMinor: number): Promise<string[]> {
  const problems: string[] = [];
  const store = repository.store;
  const integrity = await store.checkIntegrity();
  problems.push(...integrity.problems);
  const ledger = (await store.listLedger(companyId, null, 1_000_000)).reverse();
  const topUps = await store.listTopUps(companyId, 1_000_000);
  const byKey = new Map<string, number>();
  for (const topUp of topUps) byKey.set(topUp.idempotencyKey, (byKey.get(topUp.idempotencyKey) ?? 0) + 1);
  for (const [key, count] of byKey) if (count > 1) problems.push(`key ${key} has ${count} top-ups`);
  const topUpTxns = new Map<string, number>();
  for (const txn of ledger.filter((entry) => entry.kind === 'topup')) topUpTxns.set(txn.reference, (topUpTxns.get(txn.reference) ?? 0) + 1);
  for (const [reference, count] of topUpTxns) if (count > 1) problems.push(`top-up ${reference} credited ${count} times`);
  const succeeded = topUps.filter((topUp) => topUp.status === 'succeeded');
  if (succeeded.length !== topUpTxns.size) problems.push(`${succeeded.length} succeeded top-ups but ${topUpTxns.size} credits`);
  let before = 0;
  const crossings = new Set<number>();
  for (const txn of ledger) {
    if (txn.balanceAfterMinor < 0) problems.push(`negative balance after ${txn.seq}`);
    if (txn.kind === 'call_charge' && before >= thresholdMinor && txn.balanceAfterMinor < thresholdMinor) crossings.add(txn.seq);
    before = txn.balanceAfterMinor;
  }
  const refills = await store.listRefills(companyId);
  const refillTriggers = new Map<number, number>();
  for (const refill of refills) refillTriggers.set(refill.triggerTxnSeq, (refillTriggers.get(refill.triggerTxnSeq) ?? 0) + 1);
  for (const seq of crossings) if (refillTriggers.get(seq) !== 1) problems.push(`crossing at ${seq} has ${refillTriggers.get(seq) ?? 0} refills`);
  for (const seq of refillTriggers.keys()) if (!crossings.has(seq)) problems.push(`refill triggered by ${seq}, which did not cross`);
  const charges = ledger.filter((entry) => entry.kind === 'call_charge');
  for (const charge of charges) {
    const reservation = await store.getReservation(charge.reference);
    if (!reservation) problems.push(`charge ${charge.seq} without reservation`);
    else {
      if (-charge.walletDeltaMinor > reservation.reservedMinor) problems.push(`call ${reservation.callId} charged ${-charge.walletDeltaMinor} > reserved ${reservation.reservedMinor}`);
      // The full price was always there to take: a charge cut short by an empty wallet would show here.
      const tariff = { pricePerMinute: reservation.pricePerMinute, connectionFee: reservation.connectionFee, increment: { first: reservation.incrementFirst, next: reservation.incrementNext } };
      const due = callCostMinor(tariff, Math.min(reservation.answeredSeconds ?? 0, reservation.maxSeconds), charge.currency);
      if (due !== -charge.walletDeltaMinor) problems.push(`call ${reservation.callId} charged ${-charge.walletDeltaMinor}, due ${due}`);
    }
  }
  return problems;
}

/** Counts for the report. */
export async function ledgerCounts(repository: Repository, companyId: string): Promise<{ transactions: number; crossingsRefilled: number; balanceMinor: number }> {
  const refills = await repository.store.listRefills(companyId);
  const company = await repository.store.getCompany(companyId);
  const ledger = await repository.store.listLedger(companyId, null, 1_000_000);
  return { transactions: ledger.length, crossingsRefilled: refills.length, balanceMinor: company?.balanceMinor ?? 0 };
}
