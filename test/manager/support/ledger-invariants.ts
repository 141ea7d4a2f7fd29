import { callCostMinor } from '../../../shared/rating/tariff';
import type { Repository } from '../../../manager/src/store/repository';

/**
 * Checks, from the stored rows, the invariants the concurrency and crash tests promise beyond the
 * repository's own integrity check: top-up keys applied at most once, no call charged beyond what it
 * reserved, charged exactly its price, and at most one automatic refill in flight at a time.
 */
export async function checkLoadInvariants(repository: Repository, companyId: string): Promise<string[]> {
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
  for (const txn of ledger) if (txn.balanceAfterMinor < 0) problems.push(`negative balance after ${txn.seq}`);
  // At most one refill in flight per company: each refill was created once the one before it was done
  // (the company lock and the partial unique index refills_one_in_flight). A refill started by a call
  // names a call that was authorized.
  const refills = (await store.listRefills(companyId)).filter((refill) => refill.status !== 'skipped_limit');
  refills.sort((a, b) => a.createdAt - b.createdAt || a.updatedAt - b.updatedAt);
  for (let index = 1; index < refills.length; index += 1) {
    const previous = refills[index - 1];
    const refill = refills[index];
    if (previous && refill && refill.createdAt < previous.updatedAt) problems.push(`refill ${refill.id} started while ${previous.id} was in flight`);
  }
  if (refills.filter((refill) => refill.status === 'pending').length > 1) problems.push('more than one refill pending');
  for (const refill of refills) {
    if ((refill.cause === 'reservation' || refill.cause === 'extension') && !(await store.getReservation(refill.causeReference ?? ''))) {
      problems.push(`refill ${refill.id} names call ${refill.causeReference ?? ''}, never authorized`);
    }
  }
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
