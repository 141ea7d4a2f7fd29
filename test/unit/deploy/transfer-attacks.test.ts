/**
 * Transfers at the real proxy (issue 12, section 3): a transferred call is the transferor's call, bound by
 * the proxy, never by a header. Bruno (1002, barred from premium numbers) calls Alice (1001, a SIP.js phone
 * over WebSocket) from a raw SIP socket and transfers her with REFER; the test then sends the INVITEs a
 * transferee (or a fraudster) would send, authenticated as the demo users, and asserts who pays and what
 * reached the recording trunk. Real parts: Kamailio with the repository's config, the manager (SQLite, demo
 * company, 25 EUR). No sleeps but the length of one charged call (a call's duration has no event).
 */
import type { Invitation, Referral } from 'sip.js';
import { SessionState } from 'sip.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../deploy/local-stack.js';
import { demoUsers } from '../../../shared/config/defaults.js';
import { connectTestPhone, sessionReaches, type TestPhone } from './sip-test-phone.js';
import { call, sendAuthenticated, sendInDialog, type Credentials, type RawCall } from './support/raw-dialog.js';
import { startFraudStack, type FraudStack } from './support/fraud-stack.js';
import { header, plainSdp, token, uriOf, type RawSipSocket, type SipMessage } from './support/raw-sip.js';
import type { SipSink } from './support/sip-sink.js';

const [alice, bruno, chloe] = demoUsers;
if (alice === undefined || bruno === undefined || chloe === undefined) {
  throw new Error('the tests need three demo users');
}
/** French premium-rate number: Bruno is barred from it. */
const premium = '+33899123456';
/** A paid international number anyone not barred may call. */
const paidNumber = '+13405550100';
/** Another company on the same server, with its own 1001. */
const otherDomain = 'other.test';
const otherAlice = { username: '1001', password: 'other-1001-password' };

interface SeenReferral {
  readonly referTo: string;
  readonly referredBy: string;
}

describe('transfers at the proxy (real Kamailio and manager, a recording trunk)', () => {
  let bed: FraudStack;
  let stack: LocalStack;
  let trunk: SipSink;
  let transferee: TestPhone;
  let target: TestPhone;
  let brunoSocket: RawSipSocket;
  let dialog: RawCall;
  let invitation: Invitation;
  const referrals: SeenReferral[] = [];

  beforeAll(async () => {
    bed = await startFraudStack({
      name: 'transfers', elsewhereHost: '127.0.0.78',
      users: [...demoUsers.map(({ username, password }) => ({ username, password })), { ...otherAlice, domain: otherDomain }],
    });
    ({ stack, trunk } = bed);
    transferee = await connectTestPhone({ server: stack.kamailio.wsUrl, domain: stack.domain, ...alice });
    expect(await transferee.register()).toBe(200);
    // Chloé is registered and busy: an INVITE that reaches her gets 486, which proves the proxy let it pass.
    target = await connectTestPhone({ server: stack.kamailio.wsUrl, domain: stack.domain, ...chloe });
    expect(await target.register()).toBe(200);
    const answered = transferee.nextInvitation().then(async (incoming) => {
      incoming.delegate = {
        onRefer(referral: Referral) {
          referrals.push({ referTo: referral.referTo.uri.toString(), referredBy: referral.referredBy ?? '' });
          void referral.accept();
        },
      };
      await incoming.accept();
      return incoming;
    });
    brunoSocket = await bed.attacker(41);
    dialog = await call(brunoSocket, stack.domain, bruno, alice.username);
    expect(dialog.final.status).toBe(200);
    invitation = await answered;
    await sessionReaches(invitation, SessionState.Established);
  }, 60_000);

  afterAll(async () => {
    if (dialog !== undefined && brunoSocket !== undefined) sendInDialog(brunoSocket, dialog, 'BYE');
    await Promise.allSettled([transferee?.stop(), target?.stop()]);
    await bed?.stop();
  });

  /** Bruno REFERs Alice; resolves with the answer and the Refer-To Alice saw (null if none reached her). */
  async function refer(referTo: string, extra: readonly string[] = []): Promise<{ final: SipMessage; seen: SeenReferral | null }> {
    const before = referrals.length;
    const final = await brunoSocket.finalFor(sendInDialog(brunoSocket, dialog, 'REFER', { headers: [`Refer-To: ${referTo}`, ...extra] }));
    return { final, seen: referrals.length > before ? (referrals.at(-1) ?? null) : null };
  }

  /** An INVITE to `uri`, authenticated as `user`, from a fresh socket; resolves with its final answer. */
  async function invite(
    user: Credentials,
    uri: string,
    lastOctet: number,
    extra: readonly string[] = [],
    domain = stack.domain,
  ): Promise<{ final: SipMessage; socket: RawSipSocket; callId: string; from: string }> {
    const socket = await bed.attacker(lastOctet);
    const callId = `xfer-${token()}`;
    const from = `<sip:${user.username}@${domain}>;tag=${token()}`;
    const { final } = await sendAuthenticated(
      socket,
      {
        method: 'INVITE', uri, from, to: `<${uri.split(';')[0] ?? uri}>`, callId, cseq: 1, contact: `<sip:${user.username}@${socket.host}:${socket.port}>`,
        headers: extra, body: plainSdp(socket.host, 40_100 + lastOctet),
      },
      user,
      10_000,
    );
    return { final, socket, callId, from };
  }

  const tokenOf = (uri: string): string => /;cabine-xfer=([0-9a-f]{32})/.exec(uri)?.[1] ?? '';

  it('a blind transfer to a paid number is the transferor\'s call: the proxy binds it, the trunk sees it once, the ledger charges 1002', async () => {
    const seen = bed.watch();
    const { final, seen: referral } = await refer(`<sip:${paidNumber}@${stack.domain}>`, [`Referred-By: <sip:${alice.username}@${stack.domain}>`]);
    expect(final.status).toBe(202);
    if (referral === null) throw new Error('the REFER did not reach the transferee');
    // The proxy rewrote Refer-To with its token and set Referred-By itself (the forged one is gone).
    expect(tokenOf(referral.referTo)).toMatch(/^[0-9a-f]{32}$/);
    expect(referral.referredBy).toBe(`<sip:${bruno.username}@${stack.domain}>`);

    const transferred = await invite(alice, referral.referTo, 42);
    expect(transferred.final.status).toBe(200);
    const atTrunk = await trunk.next((request) => request.method === 'INVITE' && header(request, 'call-id') === transferred.callId);
    expect(atTrunk.uri).not.toContain('cabine-xfer');
    expect(header(atTrunk, 'referred-by')).toBe(`<sip:${bruno.username}@${stack.domain}>`);
    expect((await bed.wallet()).reservedMinor).toBeGreaterThan(0);
    const answered: RawCall = {
      final: transferred.final, callId: transferred.callId, fromTag: /;tag=([^;>]+)/.exec(transferred.from)?.[1] ?? '', toTag: '', from: transferred.from,
      to: header(transferred.final, 'to'), remoteTarget: uriOf(header(transferred.final, 'contact')),
      routeSet: (transferred.final.headers.get('record-route') ?? []).slice().reverse(), cseq: 3,
    };
    sendInDialog(transferred.socket, answered, 'ACK', { cseq: 2 });
    // The call lasts a little over a second so that it costs something (a call's length has no event).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await transferred.socket.finalFor(sendInDialog(transferred.socket, answered, 'BYE'))).status).toBe(200);
    await expect
      .poll(async () => (await bed.api.activity(bed.adminToken)).find((item) => item.kind === 'call_charge' && item.reference.startsWith(`${transferred.callId}~`))?.call?.extension, { timeout: 10_000 })
      .toBe(bruno.username);
    expect(seen.atTrunk().filter((line) => line.startsWith('INVITE '))).toEqual([`INVITE sip:${paidNumber}@${trunk.address} SIP/2.0`]);

    // The same token again (a replay, even by the transferee herself): refused, nothing reaches the trunk.
    const before = await bed.wallet();
    const replay = await invite(alice, referral.referTo, 43);
    expect(replay.final.status).toBe(403);
    expect(seen.atTrunk().filter((line) => line.startsWith('INVITE '))).toHaveLength(1);
    expect(await bed.wallet()).toEqual(before);
  }, 30_000);

  it('one token, two INVITEs at once (a race): exactly one call reaches the trunk', async () => {
    const seen = bed.watch();
    const { seen: referral } = await refer(`<sip:${paidNumber}@${stack.domain}>`);
    if (referral === null) throw new Error('the REFER did not reach the transferee');
    const [first, second] = await Promise.all([invite(alice, referral.referTo, 57), invite(alice, referral.referTo, 58)]);
    const statuses = [first.final.status, second.final.status].sort();
    expect(statuses).toEqual([200, 403]);
    expect(seen.atTrunk().filter((line) => line.startsWith('INVITE '))).toHaveLength(1);
    const won = first.final.status === 200 ? first : second;
    const answered: RawCall = {
      final: won.final, callId: won.callId, fromTag: '', toTag: '', from: won.from, to: header(won.final, 'to'),
      remoteTarget: uriOf(header(won.final, 'contact')), routeSet: (won.final.headers.get('record-route') ?? []).slice().reverse(), cseq: 3,
    };
    sendInDialog(won.socket, answered, 'ACK', { cseq: 2 });
    expect((await won.socket.finalFor(sendInDialog(won.socket, answered, 'BYE'))).status).toBe(200);
    await expect.poll(async () => (await bed.wallet()).reservedMinor, { timeout: 10_000 }).toBe(0);
  });

  it('a transfer to a premium number by a premium-barred transferor is refused as his call: nothing at the trunk, nothing reserved', async () => {
    const seen = bed.watch();
    const before = await bed.wallet();
    const { final, seen: referral } = await refer(`<sip:${premium}@${stack.domain}>`);
    expect(final.status).toBe(202);
    if (referral === null) throw new Error('the REFER did not reach the transferee');
    // Alice herself may call premium numbers; as Bruno's transfer the call is Bruno's, and he is barred.
    const transferred = await invite(alice, referral.referTo, 44);
    expect(transferred.final.status).toBe(403);
    expect(header(transferred.final, 'x-cabine-refusal')).toBe('barred');
    expect(seen.atTrunk()).toEqual([]);
    expect(await bed.wallet()).toEqual(before);
  });

  it('a token used from another account, toward another target, or a forged one: refused, nothing at the trunk', async () => {
    const seen = bed.watch();
    const before = await bed.wallet();
    const { seen: referral } = await refer(`<sip:${paidNumber}@${stack.domain}>`);
    if (referral === null) throw new Error('the REFER did not reach the transferee');
    const stolen = tokenOf(referral.referTo);
    expect((await invite(chloe, referral.referTo, 45)).final.status).toBe(403);
    // The same extension in another company (another SIP domain on this server): not the transferee.
    const otherCompany = await invite(otherAlice, referral.referTo.replace(`@${stack.domain};`, `@${otherDomain};`), 56, [], otherDomain);
    expect(otherCompany.final.status).toBe(403);
    expect(otherCompany.final.firstLine).toMatch(/Transfer Not Authorized/);
    expect((await invite(alice, `sip:+13405550199@${stack.domain};cabine-xfer=${stolen}`, 46)).final.status).toBe(403);
    expect((await invite(alice, `sip:${paidNumber}@${stack.domain};cabine-xfer=${'0'.repeat(32)}`, 47)).final.status).toBe(403);
    expect((await invite(alice, `sip:${paidNumber}@${stack.domain};cabine-xfer=../../${stolen}`, 48)).final.status).toBe(403);
    expect(seen.atTrunk()).toEqual([]);
    expect(await bed.wallet()).toEqual(before);
  });

  it('a forged Referred-By makes nobody else pay: the barred sender stays barred, the header is removed', async () => {
    const seen = bed.watch();
    const before = await bed.wallet();
    // Chloé (barred from premium) claims Alice (not barred) transferred her.
    const forged = await invite(chloe, `sip:${premium}@${stack.domain}`, 49, [`Referred-By: <sip:${alice.username}@${stack.domain}>`]);
    expect(forged.final.status).toBe(403);
    expect(header(forged.final, 'x-cabine-refusal')).toBe('barred');
    expect(seen.atTrunk()).toEqual([]);
    expect(await bed.wallet()).toEqual(before);
  });

  it('Replaces only inside a transfer the proxy relayed, naming the call the transferor consulted', async () => {
    const seen = bed.watch();
    const before = await bed.wallet();
    // Taking over somebody's call with Replaces alone.
    expect((await invite(alice, `sip:${chloe.username}@${stack.domain}`, 50, ['Replaces: some-call;to-tag=a;from-tag=b'])).final.status).toBe(403);
    // Attended transfer to an outside number, or with another URI header: refused at the REFER.
    expect((await refer(`<sip:${paidNumber}@${stack.domain}?Replaces=c1%3Bto-tag%3Da%3Bfrom-tag%3Db>`)).final.status).toBe(403);
    expect((await refer(`<sip:${chloe.username}@${stack.domain}?Route=%3Csip:${trunk.address}%3E>`)).final.status).toBe(403);
    // Another domain, a party of the call.
    expect((await refer(`<sip:${chloe.username}@elsewhere.example>`)).final.status).toBe(403);
    expect((await refer(`<sip:${alice.username}@${stack.domain}>`)).final.status).toBe(403);
    // A proper attended transfer: the token is bound to the consulted call's Call-ID.
    const consulted = `consult-${token()}`;
    const { final, seen: referral } = await refer(`<sip:${chloe.username}@${stack.domain}?Replaces=${consulted}%3Bto-tag%3Dct%3Bfrom-tag%3Dbt>`);
    expect(final.status).toBe(202);
    if (referral === null) throw new Error('the REFER did not reach the transferee');
    expect(referral.referTo).toContain('Replaces=');
    const uri = referral.referTo.split('?')[0] ?? '';
    expect((await invite(alice, uri, 51, ['Replaces: other-call;to-tag=ct;from-tag=bt'])).final.status).toBe(403);
    expect((await invite(alice, uri, 52)).final.status).toBe(403);
    // The right one passes the proxy and reaches Chloé (busy here: 486 from her phone).
    expect((await invite(alice, uri, 53, [`Replaces: ${consulted};to-tag=ct;from-tag=bt`])).final.status).toBe(486);
    expect(seen.atTrunk()).toEqual([]);
    expect(await bed.wallet()).toEqual(before);
  });

  it('a call with the trunk cannot be transferred: the REFER is refused and never reaches the carrier', async () => {
    const socket = await bed.attacker(55);
    const outside = await call(socket, stack.domain, bruno, paidNumber);
    expect(outside.final.status).toBe(200);
    const seen = bed.watch();
    const final = await socket.finalFor(sendInDialog(socket, outside, 'REFER', { headers: [`Refer-To: <sip:${chloe.username}@${stack.domain}>`] }));
    expect(final.status).toBe(403);
    expect(final.firstLine).toMatch(/Outside Parties/);
    expect(seen.atTrunk().filter((line) => line.startsWith('REFER '))).toEqual([]);
    expect((await socket.finalFor(sendInDialog(socket, outside, 'BYE'))).status).toBe(200);
    await expect.poll(async () => (await bed.wallet()).reservedMinor, { timeout: 10_000 }).toBe(0);
  });

  it('outside a dialog, or without the dialog\'s route: the proxy answers the REFER itself', async () => {
    const seen = bed.watch();
    const socket = await bed.attacker(54);
    const { final } = await sendAuthenticated(
      socket,
      {
        method: 'REFER', uri: `sip:${alice.username}@${stack.domain}`, from: `<sip:${bruno.username}@${stack.domain}>;tag=${token()}`,
        to: `<sip:${alice.username}@${stack.domain}>`, callId: `refer-${token()}`, cseq: 1, headers: [`Refer-To: <sip:${premium}@${stack.domain}>`],
      },
      bruno,
    );
    expect(final.status).toBe(403);
    const before = referrals.length;
    expect((await brunoSocket.finalFor(sendInDialog(brunoSocket, dialog, 'REFER', { routes: [], headers: [`Refer-To: <sip:${premium}@${stack.domain}>`] }))).status).toBe(403);
    expect(referrals).toHaveLength(before);
    expect(seen.atTrunk()).toEqual([]);
    expect(invitation.state).toBe(SessionState.Established);
  });
});
