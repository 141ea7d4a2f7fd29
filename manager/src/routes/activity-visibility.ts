import type { ActivityItem } from '../../../shared/api/wallet-schemas';
import type { LedgerTransactionRow, Store, UserRow } from '../store/repository';
import { activityItem } from './wallet-routes';

/**
 * What one reader may see of the company's wallet activity (GET /api/v1/activity and /prepaid/activity
 * alike). The wallet is the company's, so everyone sees every line and the balance after it: otherwise the
 * balance would not add up. An admin sees every call in full. An employee sees their own calls in full; a
 * colleague's call keeps its amount and duration but not whom it dialled (number, rate prefix,
 * destination), which extension placed it, nor its call id. Whose call it is comes from its reservation
 * (the charge's reference is the reservation's call id), not from the extension written in the line, which
 * may since belong to someone else.
 */
export async function activityFor(store: Pick<Store, 'getReservation'>, reader: Pick<UserRow, 'id' | 'role'>, rows: readonly LedgerTransactionRow[]): Promise<ActivityItem[]> {
  const items: ActivityItem[] = [];
  for (const row of rows) {
    const item = activityItem(row);
    if (reader.role === 'admin' || item.call === null || (await store.getReservation(row.reference))?.userId === reader.id) {
      items.push(item);
      continue;
    }
    items.push({ ...item, reference: '', call: { ...item.call, number: '', prefix: '', destination: '', extension: '' } });
  }
  return items;
}
