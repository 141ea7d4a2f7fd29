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

/** How many history lines are on screen at first, and how many more each "Show older calls" adds. */
export const historyPageSize = 25;

/** The lines on screen: the newest `shown` records, newest first, and how many older ones are not shown. */
export interface HistoryWindow {
  readonly rows: readonly CallRecord[];
  readonly older: number;
}

/**
 * The newest `shown` records, newest first. Only these are rendered: each line on screen costs the page a
 * dozen DOM nodes and their React fibers, about 8 KB of heap, so rendering all of them (up to
 * callHistoryLimit) grew the heap with every call (issue 9, "renderer heap flat over 100 calls").
 */
export function historyWindow(records: readonly CallRecord[], shown: number): HistoryWindow {
  const count = Number.isFinite(shown) ? Math.min(records.length, Math.max(0, Math.floor(shown))) : 0;
  const rows: CallRecord[] = [];
  for (let i = records.length - 1; i >= records.length - count; i -= 1) {
    const record = records[i];
    if (record !== undefined) rows.push(record);
  }
  return { rows, older: records.length - count };
}
