import type { CallReceipt } from '../../../shared/api/receipt-schemas';
import type { NumberKind } from '../../../shared/numbering/classify';
import { numberKinds } from '../../../shared/numbering/classify';
import { formatRateAmount } from '../../../shared/rating/rate-deck';
import type { Tariff } from '../../../shared/rating/tariff';
import { callCostMinor } from '../../../shared/rating/tariff';
import { ApiError } from '../http/api-error';
import type { Store, UserRole } from '../store/repository';

/**
 * Per-call receipts (issue 10, section 5): everything a charged call's price came from, read from its
 * ledger charge and the reservation it settled. Who may see one: the caller, and the admins of the
 * company; anyone else (another employee, another company) gets 404, so receipt numbers reveal nothing.
 */

/** Who asks. */
export interface ReceiptReader {
  readonly userId: string;
  readonly companyId: string;
  readonly role: UserRole;
}

const notFound = (): ApiError => new ApiError(404, 'not_found', 'No such receipt');

function kindOf(kind: string): NumberKind {
  return (numberKinds as readonly string[]).includes(kind) ? (kind as NumberKind) : 'international';
}

/** The receipt of the call charged by ledger transaction `seq`, or 404 (not a call charge, not the reader's). */
export async function callReceipt(store: Pick<Store, 'getLedgerTransaction' | 'getReservation' | 'getUser'>, reader: ReceiptReader, seq: number): Promise<CallReceipt> {
  const txn = await store.getLedgerTransaction(reader.companyId, seq);
  if (!txn || txn.kind !== 'call_charge') throw notFound();
  const call = await store.getReservation(txn.reference);
  if (!call || call.companyId !== reader.companyId || call.status !== 'completed') throw notFound();
  if (reader.role !== 'admin' && call.userId !== reader.userId) throw notFound();
  const caller = await store.getUser(call.userId);
  const tariff: Tariff = { pricePerMinute: call.pricePerMinute, connectionFee: call.connectionFee, increment: { first: call.incrementFirst, next: call.incrementNext } };
  const answeredSeconds = call.answeredSeconds ?? 0;
  // completeCall charges at most the funded duration (the proxy cut the call there).
  const chargedSeconds = Math.min(answeredSeconds, call.maxSeconds);
  const tilde = txn.reference.lastIndexOf('~');
  return {
    seq: txn.seq,
    reference: txn.reference,
    sipCallId: tilde > 0 ? txn.reference.slice(0, tilde) : txn.reference,
    chargedAt: new Date(txn.createdAt).toISOString(),
    startedAt: new Date(call.createdAt).toISOString(),
    caller: { userId: call.userId, displayName: caller?.displayName ?? '', extension: caller?.extension ?? null },
    number: call.e164,
    dialed: call.dialed,
    kind: kindOf(call.kind),
    destination: call.destination,
    prefix: call.ratePrefix,
    deckVersion: call.deckVersion,
    currency: txn.currency,
    pricePerMinute: { units: call.pricePerMinute, decimal: formatRateAmount(call.pricePerMinute) },
    connectionFee: { units: call.connectionFee, decimal: formatRateAmount(call.connectionFee) },
    increment: `${call.incrementFirst}/${call.incrementNext}`,
    answeredSeconds,
    fundedSeconds: call.maxSeconds,
    chargedSeconds,
    billedSeconds: call.billedSeconds ?? 0,
    computedMinor: callCostMinor(tariff, chargedSeconds, txn.currency),
    priceMinor: -txn.walletDeltaMinor,
  };
}
