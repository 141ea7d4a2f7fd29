import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PgRepository } from '../../manager/src/store/pg-repository';
import { SqliteRepository } from '../../manager/src/store/sqlite-repository';
import { checkLoadInvariants, ledgerCounts } from './support/ledger-invariants';
import type { LoadStats } from './support/load-scenario';
import { loadCompany, runLoad, setupLoadCompany, walletFor } from './support/load-scenario';
import type { TestDatabase } from './support/postgres-cluster';
import { startTestDatabase } from './support/postgres-cluster';

const totalOps = 10_000;
const workers = 8;
// Top-up keys are drawn from this small space, shared by every worker: the keys collide on purpose, and the
// money they can bring in (100 keys, at most 4625 EUR) stays well below what the calls spend, so the balance
// keeps crossing the refill threshold however the workers interleave (with 400 keys, it was 5 to 51 refills).
const topUpKeySpace = 100;
const workerScript = fileURLToPath(new URL('./support/concurrency-worker.ts', import.meta.url));

function sum(stats: LoadStats[]): LoadStats {
  return stats.reduce((total, one) => {
    for (const key of Object.keys(total) as Array<keyof LoadStats>) total[key] += one[key];
    return total;
  }, { ops: 0, topUpsSucceeded: 0, topUpsReplayedOrBusy: 0, callsAllowed: 0, callsRefused: 0, chargedMinor: 0, errors: 0 });
}

function runWorker(path: string, ops: number, seed: number): Promise<LoadStats> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', workerScript, path, String(ops), String(seed), String(topUpKeySpace), `w${seed}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as LoadStats) : reject(new Error(`worker exited ${code}`))));
  });
}

describe('concurrent debits and top-ups', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it(`SQLite: ${totalOps} operations from ${workers} processes keep every invariant`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cabine-concurrency-'));
    cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
    const path = join(dir, 'load.db');
    const setup = await SqliteRepository.open(path);
    await setupLoadCompany(setup);
    const started = performance.now();
    const stats = sum(await Promise.all(Array.from({ length: workers }, (_unused, index) => runWorker(path, totalOps / workers, index + 1))));
    const seconds = (performance.now() - started) / 1000;
    const problems = await checkLoadInvariants(setup, loadCompany.id);
    const counts = await ledgerCounts(setup, loadCompany.id);
    await setup.close();
    console.log(`[concurrency] sqlite: ${stats.ops} ops from ${workers} processes in ${seconds.toFixed(1)} s = ${(stats.ops / seconds).toFixed(0)} ops/s; ` +
      `${stats.topUpsSucceeded} top-up answers, ${stats.callsAllowed} calls allowed, ${stats.callsRefused} refused, ${counts.transactions} ledger transactions, ${counts.crossingsRefilled} refills, balance ${counts.balanceMinor}`);
    expect(stats.errors).toBe(0);
    expect(stats.ops).toBe(totalOps);
    expect(counts.crossingsRefilled).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  }, 180_000);

  it(`PostgreSQL: ${totalOps} operations over a pool of 16 connections keep every invariant`, async () => {
    const database: TestDatabase = await startTestDatabase();
    cleanups.push(() => database.stop());
    const repository = await PgRepository.open(database.url, { poolSize: 16 });
    await setupLoadCompany(repository);
    const started = performance.now();
    // Two wallet services over one pool behave like two instances; 32 operations in flight in total.
    const stats = sum(await Promise.all([1, 2].map((seed) => runLoad(walletFor(repository), { ops: totalOps / 2, concurrency: 16, seed, keySpace: topUpKeySpace, callPrefix: `pg${seed}` }))));
    const seconds = (performance.now() - started) / 1000;
    const problems = await checkLoadInvariants(repository, loadCompany.id);
    const counts = await ledgerCounts(repository, loadCompany.id);
    await repository.close();
    console.log(`[concurrency] postgres: ${stats.ops} ops over 16 connections in ${seconds.toFixed(1)} s = ${(stats.ops / seconds).toFixed(0)} ops/s; ` +
      `${stats.topUpsSucceeded} top-up answers, ${stats.callsAllowed} calls allowed, ${stats.callsRefused} refused, ${counts.transactions} ledger transactions, ${counts.crossingsRefilled} refills, balance ${counts.balanceMinor}`);
    expect(stats.errors).toBe(0);
    expect(stats.ops).toBe(totalOps);
    expect(counts.crossingsRefilled).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  }, 180_000);
});
