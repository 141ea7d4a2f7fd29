import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PgRepository } from '../../manager/src/store/pg-repository';
import type { Repository } from '../../manager/src/store/repository';
import { SqliteRepository } from '../../manager/src/store/sqlite-repository';
import { checkLoadInvariants } from './support/ledger-invariants';
import { testProxySecret } from './support/manager-harness';
import { prng } from './support/load-scenario';
import type { TestDatabase } from './support/postgres-cluster';
import { startTestDatabase } from './support/postgres-cluster';
import { startServiceProcess } from './support/service-process';

const demoCompany = 'cmp_demo';
// The demo company's refill settings during the crash runs (set through the API at the first start).
const threshold = 2000;

interface Observed {
  /** Idempotency key → top-up id of a 201 answer. */
  readonly credited: Map<string, string>;
  /** Keys sent whose answer was lost to the kill: retried in the next round. */
  readonly unanswered: Set<string>;
}

async function post(baseUrl: string, path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: { topUp?: { id: string }; allowed?: boolean; maxDurationSeconds?: number } }> {
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { topUp?: { id: string } } };
}

/**
 * One round: start the service, let it recover, check invariants, then drive writes from 8 clients and
 * SIGKILL the process after a random number of answers (a random point in the middle of writes).
 */
async function crashRound(env: Record<string, string>, openCheck: () => Promise<Repository>, round: number, observed: Observed, random: () => number, token: { value: string | null }): Promise<{ answers: number; problems: string[] }> {
  const service = await startServiceProcess(env);
  const base = service.baseUrl;
  // Invariants hold after the restart (recovery has already run before listening).
  const checker = await openCheck();
  const problems = await checkLoadInvariants(checker, demoCompany);
  const topUps = await checker.store.listTopUps(demoCompany, 1_000_000);
  for (const topUp of topUps) {
    if (topUp.status === 'pending') problems.push(`round ${round}: top-up ${topUp.id} still pending after recovery`);
    const seen = observed.credited.get(topUp.idempotencyKey);
    if (seen && seen !== topUp.id) problems.push(`key ${topUp.idempotencyKey} answered ${seen} but stored ${topUp.id}`);
  }
  if ((await checker.store.listPendingRefills()).length > 0) problems.push(`round ${round}: refill still pending after recovery`);
  await checker.close();

  if (!token.value) {
    const signIn = await fetch(`${base}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'alice@cabine.test', password: 'cabine-1001' }) });
    token.value = ((await signIn.json()) as { token: string }).token;
    await fetch(`${base}/api/v1/wallet/auto-refill`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token.value}` }, body: JSON.stringify({ enabled: true, thresholdMinor: threshold, amountMinor: 5000 }) });
    // The calls below go to a satellite number (expensive, so the balance keeps crossing the threshold).
    await fetch(`${base}/api/v1/company/high-risk`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token.value}` }, body: JSON.stringify({ allowed: true }) });
  }
  const auth = { authorization: `Bearer ${token.value}` };
  const killAfter = 5 + Math.floor(random() * 60);
  let answers = 0;
  let killed = false;
  const client = async (clientIndex: number): Promise<void> => {
    for (let i = 0; !killed; i += 1) {
      try {
        if (random() < 0.4) {
          // Retry a key whose answer was lost, else a new one.
          const retry = [...observed.unanswered][0];
          const key = retry ?? `crash-${round}-${clientIndex}-${i}`;
          observed.unanswered.add(key);
          const response = await post(base, '/api/v1/wallet/topups', { amountMinor: 1000, currency: 'EUR' }, { ...auth, 'idempotency-key': key });
          if (response.status === 201 && response.body.topUp) {
            observed.credited.set(key, response.body.topUp.id);
            observed.unanswered.delete(key);
          } else if (response.status !== 409) {
            observed.unanswered.delete(key);
          }
        } else {
          const callId = `crash-${round}-${clientIndex}-${i}`;
          const authorized = await post(base, '/api/v1/calls/authorize', { callId, callerExtension: '1001', dialed: '+881612345678' }, { 'x-cabine-proxy-secret': testProxySecret });
          if (authorized.body.allowed) await post(base, '/api/v1/calls/complete', { callId, answeredSeconds: Math.floor(random() * 120) }, { 'x-cabine-proxy-secret': testProxySecret });
        }
      } catch {
        return; // the process is gone
      }
      answers += 1;
      if (answers >= killAfter && !killed) {
        killed = true;
        service.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_unused, index) => client(index)));
  await service.exited;
  return { answers, problems };
}

describe('SIGKILL during writes', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  const scenarios: Array<{ name: string; rounds: number; setup: () => Promise<{ env: Record<string, string>; open: () => Promise<Repository> }> }> = [
    {
      name: 'sqlite',
      rounds: 40,
      setup: () => {
        const dir = mkdtempSync(join(tmpdir(), 'cabine-crash-'));
        cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
        return Promise.resolve({ env: { CABINE_MANAGER_DATA_DIR: dir }, open: () => SqliteRepository.open(join(dir, 'cabine-manager.db')) });
      },
    },
    {
      name: 'postgres',
      rounds: 12,
      setup: async () => {
        const database: TestDatabase = await startTestDatabase();
        cleanups.push(() => database.stop());
        return { env: { DATABASE_URL: database.url, CABINE_PENDING_RECOVERY_AGE_MS: '0' }, open: () => PgRepository.open(database.url, { poolSize: 2 }) };
      },
    },
  ];

  for (const scenario of scenarios) {
    it(`${scenario.name}: ${scenario.rounds} kills at random points, integrity and invariants hold after every restart`, async () => {
      const { env, open } = await scenario.setup();
      const observed: Observed = { credited: new Map(), unanswered: new Set() };
      const random = prng(20_251_127 + scenario.rounds);
      const token = { value: null as string | null };
      let kills = 0;
      let answers = 0;
      const started = performance.now();
      for (let round = 1; round <= scenario.rounds; round += 1) {
        const result = await crashRound(env, open, round, observed, random, token);
        expect(result.problems, `round ${round}`).toEqual([]);
        kills += 1;
        answers += result.answers;
      }
      // A last start: recovery finishes whatever the final kill interrupted, and every answered key stands.
      const final = await startServiceProcess(env);
      const checker = await open();
      const problems = await checkLoadInvariants(checker, demoCompany);
      const topUps = new Map((await checker.store.listTopUps(demoCompany, 1_000_000)).map((topUp) => [topUp.id, topUp]));
      for (const [key, id] of observed.credited) if (topUps.get(id)?.status !== 'succeeded') problems.push(`answered top-up ${key} → ${id} is not in the ledger`);
      await checker.close();
      final.child.kill('SIGTERM');
      expect(await final.exited).toBe(0);
      const seconds = (performance.now() - started) / 1000;
      console.log(`[crash] ${scenario.name}: ${kills} SIGKILLs during writes, ${answers} answered requests, ${observed.credited.size} top-ups answered, ${(seconds).toFixed(1)} s; invariants held after every restart`);
      expect(problems).toEqual([]);
      expect(kills).toBeGreaterThanOrEqual(scenario.name === 'sqlite' ? 40 : 10);
    }, 240_000);
  }
});
