import { assertNever } from '../../../shared/assert-never';
import { newId } from '../ids';
import type { NotificationRow } from '../store/repository';

/**
 * A wallet notification as data: its kind and the values its sentence needs. The row keeps both the
 * values (`params`, JSON) and an English sentence (`message`, for logs and older readers); the app and the
 * manager's pages word it in the reader's language from the kind and the values (issue 10, section 4).
 */
export type WalletNotice =
  | { readonly kind: 'auto_refill_declined'; readonly code: string; readonly declines: number; readonly retryAt: number | null }
  | { readonly kind: 'auto_refill_disabled'; readonly declines: number }
  | { readonly kind: 'auto_refill_limit_reached'; readonly count: number; readonly limit: number; readonly retryAt: number }
  | { readonly kind: 'topup_cancelled'; readonly receipt: string; readonly reason: string };

function englishOf(notice: WalletNotice): string {
  switch (notice.kind) {
    case 'auto_refill_declined':
      return notice.retryAt === null
        ? `Automatic refill declined by the card (${notice.code})`
        : `Automatic refill declined by the card (${notice.code}); next attempt at ${new Date(notice.retryAt).toISOString()}`;
    case 'auto_refill_disabled':
      return `Automatic refill was turned off after ${notice.declines} declined attempts in a row; update the card and turn it back on`;
    case 'auto_refill_limit_reached':
      return `Automatic refill skipped: already ${notice.count} refills in the last 24 hours`;
    case 'topup_cancelled':
      return `Top-up ${notice.receipt} was cancelled by customer care: ${notice.reason}`;
    default:
      return assertNever(notice);
  }
}

/** The row to insert for `notice`. */
export function notificationOf(companyId: string, now: number, notice: WalletNotice): NotificationRow {
  const { kind, ...params } = notice;
  return { id: newId('ntf'), companyId, kind, message: englishOf(notice), params: JSON.stringify(params), createdAt: now };
}
