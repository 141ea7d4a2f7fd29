/**
 * The call history file in userData: validated record by record on load (a bad line costs that line,
 * not the whole history), bounded by `callHistoryLimit` (oldest dropped first), written atomically.
 */
import { callHistoryLimit, callRecordSchema, type CallRecord } from '../shared/call-record.js';

export interface HistoryFiles {
  read(path: string): Promise<Uint8Array | null>;
  write(path: string, data: string): Promise<void>;
}

export interface HistoryDeps {
  /** e.g. `<userData>/call-history.json` */
  readonly filePath: string;
  readonly files: HistoryFiles;
  readonly limit?: number;
  readonly log: (message: string) => void;
}

export interface HistoryStore {
  /** Records oldest first, at most `limit`. */
  load(): Promise<readonly CallRecord[]>;
  /** Adds a record (replacing one with the same id) and drops the oldest beyond the limit. */
  append(record: CallRecord): Promise<void>;
}

interface HistoryFile {
  readonly version: 1;
  readonly records: readonly CallRecord[];
}

export function createHistoryStore({ filePath, files, limit = callHistoryLimit, log }: HistoryDeps): HistoryStore {
  // Appends are serialised so two quick calls ending together cannot overwrite each other.
  let pending: Promise<unknown> = Promise.resolve();

  const read = async (): Promise<CallRecord[]> => {
    const bytes = await files.read(filePath);
    if (bytes === null) return [];
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch {
      log('history: the history file is not JSON; starting a new one');
      return [];
    }
    const raw = typeof data === 'object' && data !== null && 'records' in data && Array.isArray(data.records) ? data.records : [];
    const records: CallRecord[] = [];
    let dropped = 0;
    for (const item of raw as unknown[]) {
      const parsed = callRecordSchema.safeParse(item);
      if (parsed.success) records.push(parsed.data);
      else dropped += 1;
    }
    if (dropped > 0) log(`history: dropped ${dropped} invalid record(s)`);
    return records.slice(-limit);
  };

  return {
    load: async () => {
      await pending.catch(() => undefined);
      return read();
    },
    append: (record) => {
      const valid = callRecordSchema.parse(record);
      const next = pending.catch(() => undefined).then(async () => {
        const records = (await read()).filter((existing) => existing.id !== valid.id);
        records.push(valid);
        const file: HistoryFile = { version: 1, records: records.slice(-limit) };
        await files.write(filePath, JSON.stringify(file));
      });
      pending = next;
      return next;
    },
  };
}
