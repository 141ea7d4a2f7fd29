import { useContext } from 'react';
import type { ActivityItem } from '../../../shared/api/wallet-schemas.js';
import { useStoreSelect } from '../state/use-store.js';
import { CallReceiptButton } from './call-receipt-dialog.js';
import type { Wallet } from './wallet-controller.js';
import { WalletContext } from './wallet-context.js';
import { formatMoney } from './wallet-format.js';

/**
 * The wallet's charge for one call, found by its SIP Call-ID: the proxy bills each call as
 * `<Call-ID>~<id>` and the manager keeps that as the activity item's reference. Undefined for calls that
 * cost nothing (included, internal, unanswered) or whose charge is not among the recent activity.
 */
export function chargeForCall(activity: readonly ActivityItem[], sipCallId: string | undefined): ActivityItem | undefined {
  if (sipCallId === undefined || sipCallId === '') return undefined;
  const prefix = `${sipCallId}~`;
  return activity.find((item) => item.kind === 'call_charge' && item.reference.startsWith(prefix));
}

/** The cost cell of a history row: the amount the wallet paid and its receipt, or nothing (no wallet, no charge). */
export function CallCost({ sipCallId, language }: { readonly sipCallId: string | undefined; readonly language: string }) {
  const wallet = useContext(WalletContext);
  if (wallet === null) return null;
  return <WalletCallCost wallet={wallet.store} sipCallId={sipCallId} language={language} />;
}

function WalletCallCost({
  wallet,
  sipCallId,
  language,
}: {
  readonly wallet: Wallet['store'];
  readonly sipCallId: string | undefined;
  readonly language: string;
}) {
  const activity = useStoreSelect(wallet, (state) => state.activity);
  const charge = chargeForCall(activity, sipCallId);
  if (charge === undefined) return null;
  return (
    <>
      <span data-testid="call-cost">{formatMoney(-charge.amountMinor, charge.currency, language)}</span>{' '}
      <CallReceiptButton seq={charge.seq} number={charge.call?.number ?? ''} />
    </>
  );
}
