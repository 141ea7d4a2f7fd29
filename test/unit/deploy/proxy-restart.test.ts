/**
 * Nothing is lost when Kamailio restarts or crashes (issue 8, point 7), against the real stack started by
 * deploy/local-stack.ts: Kamailio, rtpengine, the manager (SQLite) and the carrier stand-in (baresip). A
 * paid call answered before a restart is still cut at its cap after it and charged once; a charging report
 * queued while the manager is away survives a SIGKILL of every Kamailio process and is charged once when
 * the manager is back. The caller is SIP.js in Node over WebSocket (signalling only), doing what the app
 * does after its connection drops: reconnect, register again, send a re-INVITE (the app's ICE restart).
 * Money is read from the manager's ledger. No sleeps: every wait is for an event or a polled outcome.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Inviter, SessionState, UserAgent } from 'sip.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kamailioStateFiles } from '../../../deploy/kamailio-state.js';
import { startLocalStack, type LocalStack } from '../../../deploy/local-stack.js';
import { demoUsers } from '../../../shared/config/defaults.js';
import { callCostMinor, type Tariff } from '../../../shared/rating/tariff.js';
import { managerApi, type ManagerApi } from './manager-api.js';
import { eventually } from './support/eventually.js';
import { connectTestPhone, sessionReaches, type TestPhone } from './sip-test-phone.js';

const [alice, , chloe] = demoUsers;
if (alice === undefined || chloe === undefined) {
  throw new Error('the tests need the demo users');
}

/** 1340 U.S. Virgin Islands in the SAMPLE rate deck: 0.3220 EUR/min, per second (1/1). */
const virginIslands: Tariff = { pricePerMinute: 3220, connectionFee: 0, increment: { first: 1, next: 1 } };
/** 7 cents fund 13 s of it (13 s cost 6.98 cents, 14 s 7.51): long enough for a restart in the middle. */
const fundingMinor = 7;
const fundedSeconds = 13;

/** Sends the INVITE (initial, or a re-INVITE of an established session) and resolves with its final status. */
function inviteStatus(inviter: Inviter): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    inviter
      .invite({
        requestDelegate: {
          onAccept: () => resolve(200),
          onReject: (response) => resolve(response.message.statusCode ?? 0),
        },
      })
      .catch(reject);
  });
}

describe('Kamailio restart and crash: dialogs, caps and the charging queue survive (real stack)', () => {
  let runDir: string;
  let stack: LocalStack;
  let api: ManagerApi;
  let adminToken: string;
  const phones: TestPhone[] = [];

  const phone = async (user: { username: string; password: string }): Promise<TestPhone> => {
    const created = await connectTestPhone({ server: stack.kamailio.wsUrl, domain: stack.domain, ...user });
    phones.push(created);
    return created;
  };

  /** A paid call to the carrier; resolves once answered. */
  const answeredCall = async (from: TestPhone, number: string) => {
    const target = UserAgent.makeURI(`sip:${number}@${stack.domain}`);
    if (target === undefined) {
      throw new Error(`bad target ${number}`);
    }
    const inviter = new Inviter(from.userAgent, target);
    const endedAt = sessionReaches(inviter, SessionState.Terminated).then(() => Date.now());
    expect(await inviteStatus(inviter)).toBe(200);
    await sessionReaches(inviter, SessionState.Established);
    const answeredAt = Date.now();
    // The ACK has crossed the proxy (dialog state 4, confirmed): a crash between the 200 and its ACK is a
    // different case (the carrier retransmits its 200 and ends the call itself when no ACK comes).
    const callId = inviter.request.callId;
    await eventually('the dialog confirmed by its ACK', async () =>
      /state: 4\b/.test(await stack.kamailio.rpc(['dlg.list', callId]).catch(() => '')));
    return { inviter, answeredAt, endedAt };
  };

  /** What the app does once its WebSocket is back: a new connection, a new registration, an ICE restart. */
  const recover = async (caller: TestPhone, inviter: Inviter): Promise<void> => {
    await caller.userAgent.reconnect();
    expect(await caller.register()).toBe(200);
    expect(await inviteStatus(inviter)).toBe(200);
  };

  const chargesOf = async (callId: string) =>
    (await api.activity(adminToken)).filter((item) => item.kind === 'call_charge' && item.reference.startsWith(`${callId}~`));

  /** The durable charging queue, read straight from its file (what a restart would find). */
  const storedReports = (): { key_name: string; key_value: string }[] => {
    const db = new Database(kamailioStateFiles(join(runDir, 'kamailio')).billing, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT key_name, key_value FROM billq').all() as { key_name: string; key_value: string }[];
    } finally {
      db.close();
    }
  };

  /** Brings the wallet (emptied at the start; each call test spends all it has) to `amountMinor`. */
  const fundWallet = async (amountMinor: number): Promise<void> => {
    const { balanceMinor } = await api.wallet(adminToken);
    expect(balanceMinor).toBeLessThanOrEqual(amountMinor);
    if (balanceMinor < amountMinor) {
      await api.topUp(adminToken, amountMinor - balanceMinor);
    }
  };

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cabine-restart-'));
    stack = await startLocalStack({
      runDir,
      carrier: 'baresip',
      // Top-ups of any small amount bring the wallet to exactly what a test needs.
      managerEnv: { CABINE_TOPUP_AMOUNTS: '1,2,3,4,5,6,7,50,1000,2500', CABINE_MAX_CALL_SECONDS: '60' },
    });
    if (stack.manager === undefined) {
      throw new Error('the manager did not start');
    }
    api = managerApi(stack.manager.url);
    adminToken = await api.signIn('alice@cabine.test', alice.password);
    // Customer care reverses the demo's opening top-up: the wallet holds only what each test adds.
    await api.cancelTopUps(await api.signIn('care@cabine.test', 'cabine-care'), 'cmp_demo');
    expect(callCostMinor(virginIslands, fundedSeconds, 'EUR')).toBeLessThanOrEqual(fundingMinor);
    expect(callCostMinor(virginIslands, fundedSeconds + 1, 'EUR')).toBeGreaterThan(fundingMinor);
  });

  afterAll(async () => {
    await Promise.allSettled(phones.map((p) => p.stop()));
    await stack?.stop();
    if (process.env['CABINE_KEEP_RUN_DIR'] !== '1') {
      await rm(runDir, { recursive: true, force: true });
    }
  });

  for (const crash of [false, true]) {
    const how = crash ? 'SIGKILL of every Kamailio process' : 'a graceful restart (SIGTERM)';
    it(`cuts a paid call answered before ${how} at its cap after it, and charges it once`, { timeout: 60_000 }, async () => {
      await fundWallet(fundingMinor);
      expect((await api.wallet(adminToken)).availableMinor).toBe(fundingMinor);
      const caller = await phone(alice);
      expect(await caller.register()).toBe(200);
      expect(await stack.kamailio.registrations()).toContain(alice.username);

      const call = await answeredCall(caller, '+13405550100');
      const callId = call.inviter.request.callId;
      await stack.kamailio.restart({ crash });
      const restartedAt = Date.now();
      // As documented: registrations are in memory and gone; the client registers again.
      expect(await stack.kamailio.registrations()).not.toContain(alice.username);
      await recover(caller, call.inviter);
      expect(await stack.kamailio.registrations()).toContain(alice.username);
      const recoveredAt = Date.now();
      expect((recoveredAt - call.answeredAt) / 1000).toBeLessThan(fundedSeconds - 2);

      // The proxy's BYE at the cap reaches the caller over its new connection.
      const endedAt = await call.endedAt;
      const lasted = (endedAt - call.answeredAt) / 1000;
      console.info(
        `${how}: back ${(restartedAt - call.answeredAt) / 1000} s into the call, caller recovered at ` +
          `${(recoveredAt - call.answeredAt) / 1000} s, cut at ${lasted} s (cap ${fundedSeconds} s)`,
      );
      // Never before the funded seconds: the caller is charged all of them.
      expect(lasted).toBeGreaterThanOrEqual(fundedSeconds - 0.5);
      expect(lasted).toBeLessThanOrEqual(fundedSeconds + 2);

      await eventually('the charge in the ledger', async () => (await chargesOf(callId)).length === 1);
      const [charge] = await chargesOf(callId);
      console.info(`${how}: charged ${String(charge?.call?.answeredSeconds)} s, ${-(charge?.amountMinor ?? 0)} cents`);
      expect(charge?.call?.answeredSeconds).toBe(fundedSeconds);
      expect(charge?.amountMinor).toBe(-callCostMinor(virginIslands, fundedSeconds, 'EUR'));
      await eventually('no report left in the queue', async () => storedReports().length === 0);
      expect((await api.wallet(adminToken)).reservedMinor).toBe(0);
      // Still one charge once everything has settled.
      expect(await chargesOf(callId)).toHaveLength(1);
      await caller.stop();
    });
  }

  it('delivers a report queued while the manager was down after a SIGKILL of Kamailio, and charges it once', async () => {
    const manager = stack.manager;
    if (manager === undefined) {
      throw new Error('no manager');
    }
    await api.topUp(adminToken, 50);
    const caller = await phone(chloe);
    const call = await answeredCall(caller, '+13405550100');
    const callId = call.inviter.request.callId;
    await manager.stop();
    let stored: { key_name: string; key_value: string }[] = [];
    try {
      call.inviter.bye();
      await call.endedAt;
      // Queued in memory and on disk before anything was sent.
      await eventually('the queued report', async () => (await stack.kamailio.rpc(['htable.dump', 'billq'])).includes(callId));
      stored = storedReports().filter((row) => row.key_name.startsWith(`${callId}~`));
      expect(stored).toHaveLength(1);
      expect(stored[0]?.key_value).toMatch(/^complete:[0-9]+$/);

      await stack.kamailio.restart({ crash: true });
      // The new Kamailio found it: loaded into its queue, still on disk, still undelivered.
      expect(await stack.kamailio.rpc(['htable.dump', 'billq'])).toContain(callId);
      expect(storedReports().filter((row) => row.key_name.startsWith(`${callId}~`))).toEqual(stored);
    } finally {
      await manager.restart();
    }
    await eventually('the retried report', async () => storedReports().length === 0, 15_000);
    expect(await stack.kamailio.rpc(['htable.dump', 'billq'])).not.toContain(callId);
    const charges = await chargesOf(callId);
    expect(charges).toHaveLength(1);
    const seconds = Number(stored[0]?.key_value.split(':')[1]);
    expect(charges[0]?.call?.answeredSeconds).toBe(seconds);
    expect(charges[0]?.amountMinor).toBe(-callCostMinor(virginIslands, seconds, 'EUR'));
    expect((await api.wallet(adminToken)).reservedMinor).toBe(0);
    await caller.stop();
  });
});
