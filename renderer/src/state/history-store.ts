import { callHistoryLimit, type CallRecord } from '../../../shared/call-record.js';
import { assertNever } from '../../../shared/assert-never.js';

/** The history feature: the calls of the past, as the host stores them. */
export interface HistoryState {
  /** Oldest first, as stored. */
  readonly records: readonly CallRecord[];
}

export const initialHistoryState: HistoryState = { records: [] };

export type HistoryEvent =
  | { readonly type: 'loaded'; readonly records: readonly CallRecord[] }
  | { readonly type: 'appended'; readonly record: CallRecord };

export function reduceHistory(state: HistoryState, event: HistoryEvent): HistoryState {
  switch (event.type) {
    case 'loaded': {
      // Records appended before the stored ones finished loading are kept.
      const known = new Set(event.records.map((r) => r.id));
      const merged = [...event.records, ...state.records.filter((r) => !known.has(r.id))];
      return { records: merged.slice(-callHistoryLimit) };
    }
    case 'appended':
      return { records: [...state.records.filter((r) => r.id !== event.record.id), event.record].slice(-callHistoryLimit) };
    default:
      return assertNever(event);
  }
}
