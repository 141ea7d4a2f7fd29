/**
 * `npm run bench:sip`: what authorization costs the SIP proxy.
 *
 * Starts the local stack on loopback (Kamailio, the manager with SQLite, sipp as the carrier stand-in, no
 * rtpengine: sipp sends no WebRTC) and drives sipp as a caller with valid credentials through Kamailio at
 * increasing call rates, each step a few seconds long, in two modes on the same stack:
 *   - authorization off: calls to the emergency number 112, which take exactly the same path (digest auth,
 *     dialog, trunk, carrier) but never ask the manager and are never reported;
 *   - authorization on: calls to a paid international number (+1 202 555 0100), which the proxy authorizes
 *     over HTTP before routing and reports (complete) after the BYE.
 * It prints the highest rate with no failed call in each mode and their ratio, then the call set-up time
 * (authenticated INVITE to 200 OK, measured by sipp) at a moderate rate in both modes: its p50 and p99 and
 * what authorization adds. Bounded: it stops escalating at the first failing step and gives up after 150 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from '../deploy/child-process.js';
import { startLocalStack, type LocalStack } from '../deploy/local-stack.js';
import { runSippClient, type SippClientResult } from '../deploy/sipp-client.js';
import { demoUsers } from '../shared/config/defaults.js';

const rates = [25, 50, 100, 150, 200, 300, 400] as const;
const stepSeconds = 4;
const latencyRate = 20;
const latencyCalls = 200;
const budgetMs = 150_000;

type Mode = 'off' | 'on';
const numberFor: Readonly<Record<Mode, string>> = { off: '112', on: '+12025550100' };

interface Step {
  readonly rate: number;
  readonly calls: number;
  readonly result: SippClientResult;
}

const ok = (step: Step): boolean => step.result.exitCode === 0 && step.result.failed === 0 && step.result.successful === step.calls;

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const started = Date.now();
  const caller = demoUsers[0];
  if (caller === undefined) throw new Error('no demo user');
  const runDir = await mkdtemp(join(tmpdir(), 'cabine-bench-sip-'));
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack({
      runDir,
      carrier: 'sipp',
      rtpengine: false,
      // The rate limit protects against stolen credentials, not against the bench.
      paidCallsPerMinute: 10_000,
      // 2500: the demo seed's opening top-up must stay allowed.
      managerEnv: { CABINE_TOPUP_AMOUNTS: '2500,100000000', CABINE_MAX_CALL_SECONDS: '60', CABINE_LOG_LEVEL: 'warn' },
    });
    const manager = stack.manager;
    if (manager === undefined) throw new Error('the manager did not start');
    // A wallet deep enough for thousands of paid calls (each is billed at least its first 30 s block).
    const token = ((await (await fetch(`${manager.url}/api/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@cabine.test', password: caller.password }),
    })).json()) as { token: string }).token;
    const topUp = await fetch(`${manager.url}/api/v1/wallet/topups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': 'bench-sip' },
      body: JSON.stringify({ amountMinor: 100_000_000, currency: 'EUR' }),
    });
    if (!topUp.ok) throw new Error(`top-up failed: ${topUp.status} ${await topUp.text()}`);

    const udpPort = stack.kamailio.udpPort;
    const run = async (mode: Mode, rate: number, calls: number): Promise<Step> => ({
      rate,
      calls,
      result: await runSippClient({
        workDir: join(runDir, 'sipp'),
        proxy: `127.0.0.1:${udpPort}`,
        domain: stack?.domain ?? '',
        caller,
        callee: numberFor[mode],
        scenario: { expectStatus: 200 },
        calls,
        rate,
        localPort: await freeUdpPort(),
        timeoutSeconds: stepSeconds + 20,
      }),
    });

    console.log(`Kamailio ${udpPort}/udp, manager ${manager.url}, carrier sipp ${stack.carrier?.address ?? '?'}; ${stepSeconds} s per step`);
    console.log('calls/s  authorization off            authorization on');
    const best: Record<Mode, number> = { off: 0, on: 0 };
    const failedAt: Record<Mode, number | null> = { off: null, on: null };
    for (const rate of rates) {
      if (Date.now() - started > budgetMs) {
        console.log('(time budget reached)');
        break;
      }
      const cells: string[] = [];
      for (const mode of ['off', 'on'] as const) {
        if (failedAt[mode] !== null) {
          cells.push('-'.padEnd(28));
          continue;
        }
        const step = await run(mode, rate, rate * stepSeconds);
        if (ok(step)) best[mode] = rate;
        else failedAt[mode] = rate;
        const p50 = percentile(step.result.setupMs, 50);
        cells.push(`${ok(step) ? 'ok  ' : 'FAIL'} ${step.result.successful}/${step.calls} p50 ${p50} ms`.padEnd(28));
      }
      console.log(`${String(rate).padStart(7)}  ${cells.join(' ')}`);
      if (failedAt.off !== null && failedAt.on !== null) break;
    }

    const latency: Record<Mode, readonly number[]> = { off: [], on: [] };
    for (const mode of ['off', 'on'] as const) {
      latency[mode] = (await run(mode, latencyRate, latencyCalls)).result.setupMs;
    }
    const p = (mode: Mode, q: number): number => percentile(latency[mode], q);
    // sipp's clock is coarse (its set-up times come in steps of a few ms): the mean resolves finer.
    const mean = (mode: Mode): number => latency[mode].reduce((sum, value) => sum + value, 0) / Math.max(1, latency[mode].length);
    const ceiling = (mode: Mode): string => (failedAt[mode] === null ? `>= ${best[mode]}` : String(best[mode]));

    console.log('');
    console.log(`Highest rate with no failed call: authorization off ${ceiling('off')} calls/s, on ${ceiling('on')} calls/s; ratio on/off ${best.off === 0 ? 'n/a' : (best.on / best.off).toFixed(2)}`);
    console.log(
      `Call set-up (authenticated INVITE to 200 OK, ${latencyCalls} calls at ${latencyRate}/s): ` +
        `off p50 ${p('off', 50)} ms p99 ${p('off', 99)} ms; on p50 ${p('on', 50)} ms p99 ${p('on', 99)} ms; ` +
        `authorization adds p50 ${p('on', 50) - p('off', 50)} ms, p99 ${p('on', 99) - p('off', 99)} ms, ` +
        `mean ${(mean('on') - mean('off')).toFixed(1)} ms (${mean('off').toFixed(1)} -> ${mean('on').toFixed(1)}; sipp's clock ticks in ~4 ms steps)`,
    );
    console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
  } finally {
    await stack?.stop();
    await rm(runDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
