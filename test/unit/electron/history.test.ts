import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callHistoryLimit, type CallRecord } from '../../../shared/call-record.js';
import { readFileIfExists, writeFileAtomic } from '../../../electron/atomic-file.js';
import { createHistoryStore } from '../../../electron/history.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cabine-history-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function record(n: number): CallRecord {
  return {
    id: `call-${n}`,
    direction: n % 2 === 0 ? 'outgoing' : 'incoming',
    number: `+3312345${String(n).padStart(4, '0')}`,
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    durationSeconds: n,
    outcome: 'answered',
  };
}

function history(limit?: number) {
  const logs: string[] = [];
  const store = createHistoryStore({
    filePath: join(dir, 'call-history.json'),
    files: { read: readFileIfExists, write: writeFileAtomic },
    ...(limit === undefined ? {} : { limit }),
    log: (message) => logs.push(message),
  });
  return { store, logs };
}

describe('call history', () => {
  it('starts empty and keeps records across instances (restarts)', async () => {
    expect(await history().store.load()).toEqual([]);
    await history().store.append(record(1));
    await history().store.append(record(2));
    expect(await history().store.load()).toEqual([record(1), record(2)]);
  });

  it('is bounded by callHistoryLimit, dropping the oldest first', async () => {
    const { store } = history();
    const file = { version: 1, records: Array.from({ length: callHistoryLimit }, (_, i) => record(i)) };
    await writeFile(join(dir, 'call-history.json'), JSON.stringify(file));
    await store.append(record(9999));
    const loaded = await store.load();
    expect(loaded).toHaveLength(callHistoryLimit);
    expect(loaded[0]?.id).toBe('call-1');
    expect(loaded.at(-1)?.id).toBe('call-9999');
  });

  it('serialises concurrent appends so none is lost', async () => {
    const { store } = history(10);
    await Promise.all(Array.from({ length: 15 }, (_, i) => store.append(record(i))));
    const loaded = await store.load();
    expect(loaded.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, i) => `call-${i + 5}`));
  });

  it('replaces a record appended twice', async () => {
    const { store } = history();
    await store.append(record(1));
    await store.append({ ...record(1), durationSeconds: 99 });
    expect(await store.load()).toEqual([{ ...record(1), durationSeconds: 99 }]);
  });

  it('drops invalid records on load and refuses invalid appends', async () => {
    await writeFile(join(dir, 'call-history.json'), JSON.stringify({ version: 1, records: [record(1), { id: 'x' }, { ...record(2), number: '' }] }));
    const { store, logs } = history();
    expect(await store.load()).toEqual([record(1)]);
    expect(logs).toEqual(['history: dropped 2 invalid record(s)']);
    expect(() => store.append({ ...record(3), outcome: 'teleported' } as never)).toThrow();
  });

  it('survives a corrupt file', async () => {
    await writeFile(join(dir, 'call-history.json'), '{"version":1,"records":[');
    const { store } = history();
    expect(await store.load()).toEqual([]);
    await store.append(record(1));
    expect(await store.load()).toEqual([record(1)]);
  });

  it('writes atomically: valid JSON, no temporary files left, user-only permissions', async () => {
    const { store } = history();
    await store.append(record(1));
    expect(await readdir(dir)).toEqual(['call-history.json']);
    expect(JSON.parse(await readFile(join(dir, 'call-history.json'), 'utf8'))).toEqual({ version: 1, records: [record(1)] });
    if (process.platform !== 'win32') {
      const { stat } = await import('node:fs/promises');
      expect((await stat(join(dir, 'call-history.json'))).mode & 0o777).toBe(0o600);
    }
  });
});
