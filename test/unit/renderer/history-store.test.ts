import { describe, expect, it } from 'vitest';
import { callHistoryLimit, type CallRecord } from '../../../shared/call-record.js';
import { initialHistoryState, reduceHistory } from '../../../renderer/src/state/history-store.js';

const record = (id: string): CallRecord => ({
  id,
  direction: 'outgoing',
  number: '1002',
  startedAt: '2026-01-02T10:00:00.000Z',
  durationSeconds: 3,
  outcome: 'answered',
});

describe('history store', () => {
  it('keeps records appended before the stored ones loaded', () => {
    const early = reduceHistory(initialHistoryState, { type: 'appended', record: record('new') });
    const loaded = reduceHistory(early, { type: 'loaded', records: [record('a'), record('b')] });
    expect(loaded.records.map((r) => r.id)).toEqual(['a', 'b', 'new']);
  });

  it('replaces a record with the same id and keeps at most the limit, dropping the oldest', () => {
    let state = initialHistoryState;
    for (let i = 0; i < callHistoryLimit + 5; i += 1) state = reduceHistory(state, { type: 'appended', record: record(`r${i}`) });
    expect(state.records).toHaveLength(callHistoryLimit);
    expect(state.records[0]?.id).toBe('r5');
    const again = reduceHistory(state, { type: 'appended', record: record('r5') });
    expect(again.records.at(-1)?.id).toBe('r5');
    expect(again.records.filter((r) => r.id === 'r5')).toHaveLength(1);
  });
});
