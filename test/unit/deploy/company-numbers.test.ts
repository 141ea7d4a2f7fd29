/**
 * Company numbers at the proxy (issue 11): calls from the phone network to a DID ring the person or ring
 * group it is assigned to, with audio both ways through rtpengine; outgoing calls present the caller's
 * number in P-Asserted-Identity, whatever the phone claims; nothing but the trunk gets an inbound leg; and
 * one company's SIP domain, extensions and numbers are out of reach of another's users.
 *
 * Real parts: Kamailio, rtpengine, the manager (SQLite, demo company plus a second company), the carrier
 * stand-in (baresip) placing the inbound calls, baresip desk phones recording what they hear. The attack
 * half puts a raw SIP socket at the trunk's address: it records what the trunk is sent and sends what a
 * carrier (or someone at its address) would. No sleeps: every wait is for an event or a bounded poll.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type RunningBaresip } from '../../../deploy/baresip-process.js';
import { carrierCallerNumber } from '../../../deploy/carrier-process.js';
import { freePortPair } from '../../../deploy/child-process.js';
import { startKamailio, type RunningKamailio } from '../../../deploy/kamailio-process.js';
import { startLocalStack, type LocalStack } from '../../../deploy/local-stack.js';
import { companyNumberViewSchema, ringGroupViewSchema } from '../../../shared/api/number-schemas.js';
import { demoUsers } from '../../../shared/config/defaults.js';
import { register, sendAuthenticated, type Credentials } from './support/raw-dialog.js';
import { header, headerValues, openRawSip, plainSdp, token, type RawSipSocket, type SipMessage } from './support/raw-sip.js';

const [alice, bruno, chloe] = demoUsers;
if (alice === undefined || bruno === undefined || chloe === undefined) throw new Error('the tests need the three demo users');

/** ARCEP's numbers for drama and tests (+33 1 99 00 xx xx). */
const brunoNumber = '+33199000001';
const salesNumber = '+33199000002';
const mainNumber = '+33199000003';
const otherCompanyNumber = '+33199000009';

interface Api {
  request(method: 'GET' | 'POST' | 'PUT', path: string, token: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  signIn(email: string, password: string): Promise<string>;
}

function apiOf(stack: LocalStack): Api {
  const url = stack.manager?.url;
  if (url === undefined) throw new Error('the manager did not start');
  const request: Api['request'] = async (method, path, bearer, body) => {
    const response = await fetch(`${url}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : JSON.parse(text) };
  };
  return {
    request,
    async signIn(email, password) {
      const response = await fetch(`${url}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      expect(response.status).toBe(200);
      return ((await response.json()) as { token: string }).token;
    },
  };
}

/** Customer care gives the demo company three numbers, Bruno gets one, a ring group (Bruno, Chloé) another, the third is the main number. */
async function provisionNumbers(api: Api): Promise<void> {
  const care = await api.signIn('care@cabine.test', 'cabine-care');
  const admin = await api.signIn('alice@cabine.test', alice?.password ?? '');
  const ids = new Map<string, string>();
  for (const e164 of [brunoNumber, salesNumber, mainNumber]) {
    const added = await api.request('POST', '/care/companies/cmp_demo/numbers', care, { e164 });
    expect(added.status).toBe(201);
    ids.set(e164, companyNumberViewSchema.parse(added.body).id);
  }
  expect((await api.request('PUT', `/numbers/${ids.get(brunoNumber)}/assignment`, admin, { kind: 'user', userId: 'usr_demo_1002' })).status).toBe(200);
  const group = await api.request('POST', '/ring-groups', admin, { name: 'Sales', memberIds: ['usr_demo_1002', 'usr_demo_1003'] });
  expect(group.status).toBe(201);
  expect((await api.request('PUT', `/numbers/${ids.get(salesNumber)}/assignment`, admin, { kind: 'group', groupId: ringGroupViewSchema.parse(group.body).id })).status).toBe(200);
  expect((await api.request('PUT', '/company/main-number', admin, { numberId: ids.get(mainNumber) })).status).toBe(200);
}

describe('calls from the phone network to company numbers (real Kamailio, rtpengine, manager, carrier, baresip desk phones)', () => {
  let runDir: string;
  let stack: LocalStack;
  let brunoPhone: RunningBaresip;
  let chloePhone: RunningBaresip;

  const deskPhone = async (name: string, user: Credentials & { displayName: string }, rtpPortMin: number, toneHz: number) =>
    startBaresip({
      runDir: join(runDir, name), sipPort: await freePortPair('127.0.0.1', true), ctrlPort: await freePortPair(), rtpPortMin, rtpPortMax: rtpPortMin + 99, toneHz,
      account: { role: 'desk-phone', ...user, domain: stack.domain, registrar: `127.0.0.1:${stack.kamailio.udpPort}` },
    });

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cabine-numbers-'));
    stack = await startLocalStack({ runDir, carrier: 'baresip' });
    await provisionNumbers(apiOf(stack));
    brunoPhone = await deskPhone('bruno-phone', bruno, 47_400, 880);
    chloePhone = await deskPhone('chloe-phone', chloe, 47_600, 660);
    const registered = async () => (await stack.kamailio.registrations()).join('\n');
    // startBaresip returns on REGISTER_OK, which Kamailio sends only after save() stored the contact.
    const contacts = await registered();
    expect(contacts).toMatch(/1002/);
    expect(contacts).toMatch(/1003/);
  }, 60_000);

  afterAll(async () => {
    await brunoPhone?.stop();
    await chloePhone?.stop();
    await stack?.stop();
    if (process.env['CABINE_KEEP_RUN_DIR'] !== '1') await rm(runDir, { recursive: true, force: true });
  });

  const carrierOf = () => {
    const carrier = stack.carrier?.baresip;
    if (carrier === undefined) throw new Error('no carrier baresip');
    return carrier;
  };
  const since = (phone: RunningBaresip) => {
    const mark = phone.events.length;
    return (type: string, timeoutMs = 15_000) => phone.waitForEvent(type, timeoutMs, (event) => phone.events.indexOf(event) >= mark);
  };

  it("rings the person a number is assigned to, through rtpengine, with the caller's number, and carries audio both ways", async () => {
    const carrier = carrierOf();
    const carrierEvent = since(carrier);
    const brunoEvent = since(brunoPhone);
    const chloeEvent = since(chloePhone);
    await carrier.dial(`sip:${brunoNumber}@127.0.0.1:${stack.kamailio.udpPort}`);
    const incoming = await brunoEvent('CALL_INCOMING');
    await brunoPhone.answer();
    await brunoEvent('CALL_ESTABLISHED');
    await carrierEvent('CALL_ESTABLISHED');
    // rtpengine bridges the call, although both sides speak plain RTP (route[INBOUND] always engages it).
    expect((await stack.rtpengine?.callIds())?.length).toBe(1);
    // The phone shows who is calling: the carrier's number.
    expect(incoming.peeruri).toContain(carrierCallerNumber);
    // About three seconds of conversation, measured by what the desk phone has received so far.
    for (let i = 0; i < 60 && (await brunoPhone.receivedAudio().catch(() => ({ samples: 0 }))).samples < 8_000 * 3; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await carrier.hangup();
    await brunoEvent('CALL_CLOSED');
    const heard = await brunoPhone.receivedAudio();
    const carried = await carrier.receivedAudio();
    console.info(`inbound DID call: desk phone heard ${heard.samples} samples (peak ${heard.peak}), carrier ${carried.samples} (peak ${carried.peak}); caller shown as ${incoming.peeruri ?? '?'}; rtpengine calls during the call: 1`);
    expect(heard.samples).toBeGreaterThan(8_000 * 2);
    expect(heard.peak).toBeGreaterThan(1_000);
    expect(carried.samples).toBeGreaterThan(8_000 * 2);
    expect(carried.peak).toBeGreaterThan(1_000);
    // Only Bruno's number was called: Chloé's phone never rang.
    await expect(chloeEvent('CALL_INCOMING', 300)).rejects.toThrow();
  }, 60_000);

  it('rings every member of a ring group at once; the first to answer gets the call and the others stop ringing', async () => {
    const carrier = carrierOf();
    const carrierEvent = since(carrier);
    const brunoEvent = since(brunoPhone);
    const chloeEvent = since(chloePhone);
    await carrier.dial(`sip:${salesNumber}@127.0.0.1:${stack.kamailio.udpPort}`);
    await Promise.all([brunoEvent('CALL_INCOMING'), chloeEvent('CALL_INCOMING')]);
    await chloePhone.answer();
    await chloeEvent('CALL_ESTABLISHED');
    await carrierEvent('CALL_ESTABLISHED');
    await brunoEvent('CALL_CLOSED');
    for (let i = 0; i < 60 && (await chloePhone.receivedAudio().catch(() => ({ samples: 0 }))).samples < 8_000 * 2; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await chloePhone.hangup();
    await carrierEvent('CALL_CLOSED');
    const heard = await chloePhone.receivedAudio();
    const carried = await carrier.receivedAudio();
    console.info(`ring group call: Chloé heard ${heard.samples} samples (peak ${heard.peak}), carrier ${carried.samples} (peak ${carried.peak})`);
    expect(heard.samples).toBeGreaterThan(8_000);
    expect(heard.peak).toBeGreaterThan(1_000);
    expect(carried.samples).toBeGreaterThan(8_000);
    expect(carried.peak).toBeGreaterThan(1_000);
  }, 60_000);

  it('an unanswered call stops ringing when the caller gives up', async () => {
    const carrier = carrierOf();
    const brunoEvent = since(brunoPhone);
    await carrier.dial(`sip:${brunoNumber}@127.0.0.1:${stack.kamailio.udpPort}`);
    await brunoEvent('CALL_INCOMING');
    await carrier.hangup();
    await brunoEvent('CALL_CLOSED');
  }, 30_000);
});

describe('attacks on company numbers and on the company boundary (raw SIP at the trunk address and from users)', () => {
  let runDir: string;
  let stack: LocalStack;
  /** The trunk: records what it is sent, answers 486, and speaks from the trunk's own address. */
  let trunk: RawSipSocket;
  /** Bruno's phone (raw), registered, and Chloé's, used as callers. */
  let brunoSocket: RawSipSocket;
  let chloeSocket: RawSipSocket;
  let outsider: RawSipSocket;
  /** SIP credentials the manager hands the other company's admin (extension 1001 of other.test). */
  let otherCompanySip: { username: string; password: string; extension: string };
  /** The other company's own proxy on the same stack (same manager, rtpengine-less), its trunk and a phone. */
  let otherKamailio: RunningKamailio;
  let otherTrunk: RawSipSocket;
  let otherPhone: RawSipSocket;
  let brunoSip: Credentials;
  const sockets: RawSipSocket[] = [];

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cabine-numbers-attacks-'));
    const udpPort = await freePortPair('127.0.0.1', true);
    const open = async (host: string) => {
      const socket = await openRawSip({ bindHost: host, proxyHost: '127.0.0.1', proxyPort: udpPort });
      sockets.push(socket);
      return socket;
    };
    // Not 127.0.0.1, which the local stack exempts from flood bans: the trunk must be exempt by itself.
    trunk = await open('127.0.0.2');
    stack = await startLocalStack({ runDir, carrier: false, rtpengine: false, trunkAddress: `127.0.0.2:${trunk.port}`, ports: { sipUdp: udpPort } });
    const api = apiOf(stack);
    await provisionNumbers(api);
    // A second company on the same manager, with its own domain and number.
    const care = await api.signIn('care@cabine.test', 'cabine-care');
    const onboard = await api.request('POST', '/care/companies', care, {
      name: 'Autre Société', country: 'FR', currency: 'EUR', sipDomain: 'other.test', admin: { displayName: 'Other Boss', email: 'boss@other.test' },
    });
    expect(onboard.status, JSON.stringify(onboard.body)).toBe(201);
    const { companyId } = onboard.body as { companyId: string };
    expect((await api.request('POST', `/care/companies/${companyId}/numbers`, care, { e164: otherCompanyNumber })).status).toBe(201);
    // Its admin sets a password from the welcome mail (the dev outbox) and asks for SIP credentials.
    const outbox = await (await fetch(`${stack.manager?.url ?? ''}/dev/outbox.json`)).text();
    const welcomeToken = /boss@other\.test[\s\S]*?set-password\?token=([A-Za-z0-9_-]+)/.exec(outbox)?.[1];
    expect(welcomeToken, 'the welcome link in the outbox').toBeDefined();
    const setPassword = await fetch(`${stack.manager?.url ?? ''}/api/v1/auth/set-password`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: welcomeToken, password: 'other-boss-password-1' }),
    });
    expect(setPassword.status).toBe(204);
    const otherSip = (await api.request('GET', '/sip-config', await api.signIn('boss@other.test', 'other-boss-password-1'))).body as { authorizationUsername: string; password: string; extension: string; domain: string };
    expect(otherSip.domain).toBe('other.test');
    // Their admin points their number at themself.
    const bossToken = await api.signIn('boss@other.test', 'other-boss-password-1');
    const bossId = (onboard.body as { admin: { id: string } }).admin.id;
    const theirNumbers = (await api.request('GET', '/numbers', bossToken)).body as { numbers: Array<{ id: string }> };
    expect((await api.request('PUT', `/numbers/${theirNumbers.numbers[0]?.id ?? ''}/assignment`, bossToken, { kind: 'user', userId: bossId })).status).toBe(200);
    otherCompanySip = { username: otherSip.authorizationUsername, password: otherSip.password, extension: otherSip.extension };
    const brunoConfig = (await api.request('GET', '/sip-config', await api.signIn('bruno@cabine.test', bruno.password))).body as { authorizationUsername: string; password: string };
    brunoSip = { username: brunoConfig.authorizationUsername, password: brunoConfig.password };
    // The other company's proxy: one Kamailio per SIP domain, sharing the manager (and its secret).
    const otherUdp = await freePortPair('127.0.0.1', true);
    const openOther = async (host: string) => {
      const socket = await openRawSip({ bindHost: host, proxyHost: '127.0.0.1', proxyPort: otherUdp });
      sockets.push(socket);
      return socket;
    };
    otherTrunk = await openOther('127.0.0.1');
    otherPhone = await openOther('127.0.0.31');
    const manager = stack.manager;
    if (manager === undefined) throw new Error('the manager did not start');
    otherKamailio = await startKamailio({
      runDir: join(runDir, 'kamailio-other'), wsPort: await freePortPair(), udpPort: otherUdp, domain: 'other.test',
      // The start code wants one static account; nobody knows its password.
      users: [{ username: '1999', password: randomBytes(18).toString('base64url') }],
      ephemeralSecret: stack.ephemeralSecret, billing: { apiUrl: `${manager.url}/api/v1`, proxySecret: manager.proxySecret, authorizeTimeoutSeconds: 1 },
      trunk: { address: `127.0.0.1:${otherTrunk.port}`, prefixRules: [] }, guard: { floodExempt: ['127.0.0.1/32'] },
    });
    brunoSocket = await open('127.0.0.21');
    chloeSocket = await open('127.0.0.22');
    outsider = await open('127.0.0.23');
    expect((await register(brunoSocket, stack.domain, bruno, `<sip:1002@127.0.0.21:${brunoSocket.port}>`)).final.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(sockets.map((socket) => socket.close()));
    await otherKamailio?.stop();
    await stack?.stop();
    if (process.env['CABINE_KEEP_RUN_DIR'] !== '1') await rm(runDir, { recursive: true, force: true });
  });

  /** INVITEs from Bruno's registered phone so far (the raw phone never answers: each shows as a new Call-ID). */
  const invitesToBruno = () => new Set(brunoSocket.received.filter((message) => message.method === 'INVITE').map((message) => header(message, 'call-id'))).size;
  const invitesAtTrunk = () => trunk.received.filter((message) => message.method === 'INVITE');
  const inviteParts = (from: RawSipSocket, uri: string, fromUri: string, extra: string[] = []) => ({
    method: 'INVITE', uri, from: `<${fromUri}>;tag=${token()}`, to: `<${uri}>`, callId: `did-${token()}`, cseq: 1,
    contact: `<sip:caller@${from.host}:${from.port}>`, headers: extra, body: plainSdp(from.host, 40_000),
  });
  /** A call from the trunk's own address (what the carrier sends). */
  const fromTrunk = async (user: string, method = 'INVITE') => {
    const parts = { ...inviteParts(trunk, `sip:${user}@127.0.0.1:${stack.kamailio.udpPort}`, 'sip:+33612345678@carrier.invalid'), method };
    return trunk.finalFor(trunk.send(parts), parts, 5_000);
  };

  it('the trunk reaches a company number (control: Bruno rings), and nothing else: extensions, other numbers, emergency codes, another company\'s number, other methods', async () => {
    const before = invitesToBruno();
    // Control: the carrier calling Bruno's number rings Bruno's phone, which answers it.
    const parts = inviteParts(trunk, `sip:${brunoNumber}@127.0.0.1:${stack.kamailio.udpPort}`, 'sip:+33612345678@carrier.invalid');
    const branch = trunk.send(parts);
    const ringing = await brunoSocket.next((message) => message.method === 'INVITE' && header(message, 'call-id') === parts.callId, 5_000, 'the inbound INVITE at Bruno');
    expect(header(ringing, 'from')).toContain('+33612345678');
    brunoSocket.respond(ringing, 486, 'Busy Here');
    expect((await trunk.finalFor(branch, parts, 5_000)).status).toBe(486);
    expect(invitesToBruno()).toBe(before + 1);

    const trunkInvitesBefore = invitesAtTrunk().length;
    for (const target of ['1002', '+441174960000', '112', '15', '33199000077']) {
      const answer = await fromTrunk(target);
      expect(answer.status, target).toBe(404);
    }
    // One Kamailio serves every company: another company's number rings that company's phones (none is
    // registered at this proxy: 480), never ours.
    expect((await fromTrunk(otherCompanyNumber)).status).toBe(480);
    expect((await fromTrunk(brunoNumber, 'MESSAGE')).status).toBe(403);
    // Nothing rang, and nothing went back out to the trunk (no free transit through us).
    expect(invitesToBruno()).toBe(before + 1);
    expect(invitesAtTrunk().length).toBe(trunkInvitesBefore);
  });

  it('nobody but the trunk gets an inbound leg: an outsider, a forged trunk identity, a registered user calling the DID go through authentication and the manager', async () => {
    const before = invitesToBruno();
    const trunkAddress = `127.0.0.2:${trunk.port}`;
    const trunkBefore = invitesAtTrunk().length;
    // An outsider calling the DID, plain and dressed up as the carrier (Via, From, Contact, PAI naming the trunk).
    for (const extra of [[], [`P-Asserted-Identity: <sip:+33612345678@${trunkAddress}>`, `X-Forwarded-For: 127.0.0.1`]]) {
      const parts = { ...inviteParts(outsider, `sip:${brunoNumber}@${stack.domain}`, `sip:+33612345678@${trunkAddress}`, extra), contact: `<sip:carrier@${trunkAddress}>` };
      const raw = [
        `INVITE ${parts.uri} SIP/2.0`, `Via: SIP/2.0/UDP ${trunkAddress};branch=z9hG4bK${token()}`, `Via: SIP/2.0/UDP ${outsider.host}:${outsider.port};branch=z9hG4bK${token()};rport`,
        'Max-Forwards: 70', `From: ${parts.from}`, `To: ${parts.to}`, `Call-ID: ${parts.callId}`, 'CSeq: 1 INVITE', `Contact: ${parts.contact}`, ...extra,
        'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(parts.body)}`, '', parts.body,
      ].join('\r\n');
      outsider.sendRaw(raw);
      const answer = await outsider.next((message) => message.status !== undefined && message.status >= 200 && header(message, 'call-id') === parts.callId, 5_000, 'the answer to the outsider');
      expect([403, 407]).toContain(answer.status);
    }
    expect(invitesAtTrunk().length).toBe(trunkBefore);
    // Chloé, registered in the company, calls Bruno's public number: an outside call like any other (the
    // manager authorizes it, the trunk carries it, with Chloé's caller ID), never a leg straight to Bruno.
    const trunkMark = invitesAtTrunk().length;
    const parts = inviteParts(chloeSocket, `sip:${brunoNumber}@${stack.domain}`, `sip:1003@${stack.domain}`);
    const pending = sendAuthenticated(chloeSocket, parts, chloe, 10_000);
    const atTrunk = await trunk.next((message) => message.method === 'INVITE' && invitesAtTrunk().length > trunkMark, 5_000, 'the outside call at the trunk');
    trunk.respond(atTrunk, 486, 'Busy Here');
    expect((await pending).final.status).toBe(486);
    expect(headerValues(atTrunk, 'p-asserted-identity')).toEqual([`<sip:${mainNumber}@${stack.domain};user=phone>`]);
    expect(invitesToBruno()).toBe(before);
  });

  it("presents the caller's own number, else the main number, whatever P-Asserted-Identity, P-Preferred-Identity or Remote-Party-ID the phone sends", async () => {
    const forged = [
      'P-Asserted-Identity: <sip:+33899000000@cabine.test>', 'P-Preferred-Identity: <sip:+33899000001@cabine.test>',
      'Remote-Party-ID: "Bank" <sip:+33899000002@cabine.test>;party=calling;screen=yes;privacy=off', `P-Asserted-Identity: <tel:${otherCompanyNumber}>`,
    ];
    const cases: Array<{ socket: RawSipSocket; user: Credentials; expected: string }> = [
      { socket: brunoSocket, user: bruno, expected: brunoNumber },
      { socket: chloeSocket, user: chloe, expected: mainNumber },
    ];
    for (const { socket, user, expected } of cases) {
      const mark = invitesAtTrunk().length;
      const parts = inviteParts(socket, `sip:+33199009999@${stack.domain}`, `sip:${user.username}@${stack.domain}`, forged);
      const pending = sendAuthenticated(socket, parts, user, 10_000);
      const atTrunk: SipMessage = await trunk.next((message) => message.method === 'INVITE' && invitesAtTrunk().length > mark, 5_000, `${user.username}'s call at the trunk`);
      trunk.respond(atTrunk, 486, 'Busy Here');
      expect((await pending).final.status).toBe(486);
      expect(headerValues(atTrunk, 'p-asserted-identity'), user.username).toEqual([`<sip:${expected}@${stack.domain};user=phone>`]);
      expect(headerValues(atTrunk, 'p-preferred-identity')).toEqual([]);
      expect(headerValues(atTrunk, 'remote-party-id')).toEqual([]);
      expect(atTrunk.raw).not.toContain('+33899');
    }
  });

  it("another company's SIP domain is refused in REGISTER and INVITE (From, To, Request-URI), and its extensions are not reachable", async () => {
    const aor = (domain: string) => `<sip:1002@${domain}>`;
    const registers = [
      { uri: 'sip:other.test', from: aor('other.test'), to: aor('other.test') },
      { uri: `sip:${stack.domain}`, from: aor(stack.domain), to: aor('other.test') },
      { uri: 'sip:other.test', from: aor(stack.domain), to: aor(stack.domain) },
    ];
    for (const { uri, from, to } of registers) {
      const parts = { method: 'REGISTER', uri, from: `${from};tag=${token()}`, to, callId: `reg-${token()}`, cseq: 1, contact: `<sip:1002@127.0.0.21:${brunoSocket.port}>`, headers: ['Expires: 60'] };
      // other.test is served here too (one Kamailio for every company): Bruno's account is not of it (401);
      // two domains in one REGISTER: 403 before any challenge.
      expect([401, 403], `${uri} ${to}`).toContain((await sendAuthenticated(brunoSocket, parts, bruno)).final.status);
    }
    expect(await stack.kamailio.registrations()).not.toContain('1002@other.test');
    const trunkMark = invitesAtTrunk().length;
    const invites = [
      inviteParts(brunoSocket, 'sip:1001@other.test', `sip:1002@${stack.domain}`),
      inviteParts(brunoSocket, `sip:1001@${stack.domain}`, 'sip:1002@other.test'),
      inviteParts(brunoSocket, `sip:${otherCompanyNumber}@other.test`, `sip:1002@${stack.domain}`),
    ];
    for (const parts of invites) {
      // Another domain in the Request-URI: 403; in From: that domain's challenge, which Bruno cannot answer (407).
      expect([403, 407], `${parts.uri} from ${parts.from}`).toContain((await sendAuthenticated(brunoSocket, parts, bruno)).final.status);
    }
    expect(invitesAtTrunk().length).toBe(trunkMark);
    // The other company's number rings only that company's phones (none registered here: 480).
    expect((await fromTrunk(otherCompanyNumber)).status).toBe(480);
  });

  it("the other company's SIP credentials do not work in this company's domain, even for the same extension", async () => {
    const attacker = outsider;
    const ext = otherCompanySip.extension;
    const aor = `<sip:${ext}@${stack.domain}>`;
    const parts = {
      method: 'REGISTER', uri: `sip:${stack.domain}`, from: `${aor};tag=${token()}`, to: aor, callId: `reg-${token()}`, cseq: 1,
      contact: `<sip:${ext}@${attacker.host}:${attacker.port}>`, headers: ['Expires: 60'],
    };
    const registered = await sendAuthenticated(attacker, parts, otherCompanySip);
    expect([401, 403]).toContain(registered.final.status);
    expect((await stack.kamailio.registrations()).join('\n')).not.toContain(`${attacker.host}:${attacker.port}`);
    // Nor can they call out in the name of this company's extension (charged to this company's wallet).
    const trunkMark = invitesAtTrunk().length;
    const invite = inviteParts(attacker, `sip:+33199009999@${stack.domain}`, `sip:${ext}@${stack.domain}`);
    expect([401, 403, 407]).toContain((await sendAuthenticated(attacker, invite, otherCompanySip)).final.status);
    expect(invitesAtTrunk().length).toBe(trunkMark);
  });

  it("two companies on one stack, each with its own proxy: credentials work in their own domain only, and the way between them is the phone network", async () => {
    const registerAt = (socket: RawSipSocket, domain: string, user: string, credentials: Credentials) => {
      const aor = `<sip:${user}@${domain}>`;
      return sendAuthenticated(socket, {
        method: 'REGISTER', uri: `sip:${domain}`, from: `${aor};tag=${token()}`, to: aor, callId: `reg-${token()}`, cseq: 1,
        contact: `<sip:${user}@${socket.host}:${socket.port}>`, headers: ['Expires: 120'],
      }, credentials);
    };
    const ext = otherCompanySip.extension;
    // Control: the other company's admin registers at their own proxy with the credentials refused at ours.
    expect((await registerAt(otherPhone, 'other.test', ext, otherCompanySip)).final.status).toBe(200);
    // Bruno's credentials (ours) are refused at theirs, as his extension or as theirs.
    expect([401, 403]).toContain((await registerAt(brunoSocket, 'other.test', '1002', brunoSip)).final.status);
    expect([401, 403]).toContain((await registerAt(brunoSocket, 'other.test', ext, brunoSip)).final.status);
    expect((await otherKamailio.registrations()).join('\n')).not.toContain(`${brunoSocket.host}:${brunoSocket.port}`);

    // Their number, called from the phone network at their proxy, rings their admin.
    const ringsTheirs = () => otherPhone.received.filter((message) => message.method === 'INVITE').length;
    const parts = inviteParts(otherTrunk, `sip:${otherCompanyNumber}@127.0.0.1:${otherKamailio.udpPort}`, 'sip:+33612345678@carrier.invalid');
    const branch = otherTrunk.send(parts);
    const ringing = await otherPhone.next((message) => message.method === 'INVITE' && header(message, 'call-id') === parts.callId, 5_000, 'the inbound INVITE at the other company');
    otherPhone.respond(ringing, 486, 'Busy Here');
    expect((await otherTrunk.finalFor(branch, parts, 5_000)).status).toBe(486);

    // Bruno calls their number from our proxy: an outside call through our trunk, never a leg to their phone.
    const before = ringsTheirs();
    const mark = invitesAtTrunk().length;
    const call = inviteParts(brunoSocket, `sip:${otherCompanyNumber}@${stack.domain}`, `sip:1002@${stack.domain}`);
    const pending = sendAuthenticated(brunoSocket, call, bruno, 10_000);
    const atTrunk = await trunk.next((message) => message.method === 'INVITE' && invitesAtTrunk().length > mark, 5_000, 'the outside call at our trunk');
    trunk.respond(atTrunk, 486, 'Busy Here');
    expect((await pending).final.status).toBe(486);
    expect(headerValues(atTrunk, 'p-asserted-identity')).toEqual([`<sip:${brunoNumber}@${stack.domain};user=phone>`]);
    expect(ringsTheirs()).toBe(before);
    // Their extension by name, at their proxy, with our credentials: never delivered.
    const direct = inviteParts(brunoSocket, `sip:${ext}@other.test`, 'sip:1002@other.test');
    const toTheirProxy = { ...direct, uri: `sip:${ext}@other.test` };
    const rawSocketAtTheirs = await openRawSip({ bindHost: '127.0.0.21', proxyHost: '127.0.0.1', proxyPort: otherKamailio.udpPort });
    sockets.push(rawSocketAtTheirs);
    expect([401, 403, 407]).toContain((await sendAuthenticated(rawSocketAtTheirs, toTheirProxy, brunoSip)).final.status);
    expect(ringsTheirs()).toBe(before);
  });

  it("the carrier's busy hour is not a flood: 80 requests in a burst from the trunk, then a call to a DID still rings", async () => {
    const before = invitesToBruno();
    for (let i = 0; i < 80; i += 1) {
      trunk.send({ method: 'OPTIONS', uri: `sip:127.0.0.1:${stack.kamailio.udpPort}`, from: `<sip:carrier@carrier.invalid>;tag=${token()}`, to: `<sip:127.0.0.1:${stack.kamailio.udpPort}>`, callId: `ka-${token()}`, cseq: 1 });
    }
    const parts = inviteParts(trunk, `sip:${brunoNumber}@127.0.0.1:${stack.kamailio.udpPort}`, 'sip:+33612345678@carrier.invalid');
    const branch = trunk.send(parts);
    const ringing = await brunoSocket.next((message) => message.method === 'INVITE' && header(message, 'call-id') === parts.callId, 5_000, 'the inbound INVITE after the burst');
    brunoSocket.respond(ringing, 486, 'Busy Here');
    expect((await trunk.finalFor(branch, parts, 5_000)).status).toBe(486);
    expect(invitesToBruno()).toBe(before + 1);
    expect(await stack.kamailio.rpc(['htable.dump', 'ipban'])).not.toContain('127.0.0.2');
  });

  it('emergency calls present the number learnt from the last outside call, without asking the manager, and never the forged one', async () => {
    // Bruno's outside calls above taught the proxy his number; the emergency call strips his forged PAI.
    const mark = invitesAtTrunk().length;
    const parts = inviteParts(brunoSocket, `sip:112@${stack.domain}`, `sip:1002@${stack.domain}`, ['P-Asserted-Identity: <sip:+33899000000@cabine.test>']);
    const pending = sendAuthenticated(brunoSocket, parts, bruno, 10_000);
    const atTrunk = await trunk.next((message) => message.method === 'INVITE' && invitesAtTrunk().length > mark, 5_000, 'the emergency call at the trunk');
    trunk.respond(atTrunk, 486, 'Busy Here');
    expect((await pending).final.status).toBe(486);
    expect(headerValues(atTrunk, 'p-asserted-identity')).toEqual([`<sip:${brunoNumber}@${stack.domain};user=phone>`]);
  });

  it('a call to a number not looked up yet is refused 503 while the manager is down (fail closed), and rings nobody', async () => {
    const before = invitesToBruno();
    await stack.manager?.stop();
    try {
      // Not in the proxy's 10 s cache: mainNumber was never called from the trunk in this stack.
      expect((await fromTrunk(mainNumber)).status).toBe(503);
      expect(invitesToBruno()).toBe(before);
    } finally {
      await stack.manager?.restart();
    }
  });
});

