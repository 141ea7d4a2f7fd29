/**
 * Several companies on ONE Kamailio (issue 11, docs/sip-server.md "Several companies on one server"): the
 * demo company (cabine.test) and a second company onboarded in the manager (b.test), each with a 1001 and
 * a 1002. Each company's 1001 calls its own 1002 with audio both ways, and every cross-company attempt is
 * refused: registering in the other domain with one's own credentials or with the other domain's realm,
 * forged From/To/Request-URI domains, an INVITE to the other company's extension, a domain nobody has, a
 * DID of one company ringing the other's phones, a revocation of one company's 1001 touching the other's.
 *
 * Real parts: one Kamailio, the manager (SQLite, the demo company plus the onboarded one), baresip desk
 * phones (static accounts in each domain) recording what they hear, raw SIP sockets as the attacker (the
 * manager's time-limited credentials of each company) and as the trunk (recording what reaches it). No
 * sleeps: every wait is for an event or a bounded poll.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBaresip, type RunningBaresip } from '../../../deploy/baresip-process.js';
import { freePortPair } from '../../../deploy/child-process.js';
import { startLocalStack, type LocalStack } from '../../../deploy/local-stack.js';
import { demoUsers } from '../../../shared/config/defaults.js';
import { eventually } from './support/eventually.js';
import { sendAuthenticated, type Credentials } from './support/raw-dialog.js';
import { digestAnswer, header, openRawSip, plainSdp, token, type RawSipSocket, type RequestParts } from './support/raw-sip.js';

const [alice, bruno] = demoUsers;
if (alice === undefined || bruno === undefined) throw new Error('the tests need the demo users 1001 and 1002');

const domainB = 'b.test';
const bPhones = [
  { username: '1001', password: randomBytes(18).toString('base64url'), domain: domainB },
  { username: '1002', password: randomBytes(18).toString('base64url'), domain: domainB },
] as const;
/** ARCEP's drama numbers: one of each company's. */
const numberA = '+33199000011';
const numberB = '+33199000019';

interface ManagerSip { readonly username: string; readonly password: string; readonly extension: string; readonly domain: string }

describe('several companies on one Kamailio (real Kamailio, manager, baresip desk phones; raw SIP attacker and trunk)', () => {
  let runDir: string;
  let stack: LocalStack;
  let managerUrl: string;
  let trunk: RawSipSocket;
  let udpPort: number;
  /** A fresh source address per test (127.0.0.41, .42, ...): pike bans a source after 30 requests in 2 s. */
  let attacker: RawSipSocket;
  let attackerHost = 40;
  const sockets: RawSipSocket[] = [];
  const phones = new Map<string, RunningBaresip>();
  /** The manager's credentials of B's 1001 (its admin) and of A's 1002 (Bruno). */
  let bAdminSip: ManagerSip;
  let brunoSip: ManagerSip;
  let bobToken: string;

  const phone = (aor: string): RunningBaresip => {
    const found = phones.get(aor);
    if (found === undefined) throw new Error(`no desk phone ${aor}`);
    return found;
  };
  const since = (p: RunningBaresip) => {
    const mark = p.events.length;
    return (type: string, timeoutMs = 15_000) => p.waitForEvent(type, timeoutMs, (event) => p.events.indexOf(event) >= mark);
  };
  const request = async (method: 'GET' | 'POST' | 'PUT', path: string, bearer?: string, body?: unknown) => {
    const response = await fetch(`${managerUrl}/api/v1${path}`, {
      method,
      headers: { ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  };
  const signIn = async (email: string, password: string): Promise<string> => {
    const answer = await request('POST', '/auth/sign-in', undefined, { email, password });
    expect(answer.status, email).toBe(200);
    return (answer.body as { token: string }).token;
  };
  const sipOf = async (bearer: string): Promise<ManagerSip> => {
    const sip = (await request('GET', '/sip-config', bearer)).body as { authorizationUsername: string; password: string; extension: string; domain: string };
    return { username: sip.authorizationUsername, password: sip.password, extension: sip.extension, domain: sip.domain };
  };
  const invitesAtTrunk = () => trunk.received.filter((message) => message.method === 'INVITE').length;
  const registerParts = (socket: RawSipSocket, uri: string, fromUser: string, fromDomain: string, toDomain: string): RequestParts => ({
    method: 'REGISTER', uri, from: `<sip:${fromUser}@${fromDomain}>;tag=${token()}`, to: `<sip:${fromUser}@${toDomain}>`, callId: `reg-${token()}`, cseq: 1,
    contact: `<sip:${fromUser}@${socket.host}:${socket.port}>`, headers: ['Expires: 120'],
  });
  const inviteParts = (socket: RawSipSocket, uri: string, fromUri: string): RequestParts => ({
    method: 'INVITE', uri, from: `<${fromUri}>;tag=${token()}`, to: `<${uri}>`, callId: `xt-${token()}`, cseq: 1,
    contact: `<sip:caller@${socket.host}:${socket.port}>`, body: plainSdp(socket.host, 40_100),
  });
  const registered = async () => stack.kamailio.registrations();
  const attackerRegistered = async () => (await stack.kamailio.rpc(['ul.dump'])).includes(`${attacker.host}:${attacker.port}`);

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cabine-domains-'));
    udpPort = await freePortPair('127.0.0.1', true);
    const sipWs = await freePortPair();
    const open = async (host: string) => {
      const socket = await openRawSip({ bindHost: host, proxyHost: '127.0.0.1', proxyPort: udpPort });
      sockets.push(socket);
      return socket;
    };
    trunk = await open('127.0.0.2');
    stack = await startLocalStack({
      runDir, carrier: false, rtpengine: false, trunkAddress: `127.0.0.2:${trunk.port}`, ports: { sipUdp: udpPort, sipWs },
      // Static desk-phone accounts of both companies, in their own domains.
      users: [...demoUsers.map(({ username, password }) => ({ username, password })), ...bPhones.map(({ username, password, domain }) => ({ username, password, domain }))],
      managerEnv: { CABINE_KAMAILIO_RPC_URL: `http://127.0.0.1:${sipWs}/RPC`, CABINE_MAILER: 'outbox' },
    });
    if (stack.manager === undefined) throw new Error('the manager did not start');
    managerUrl = stack.manager.url;
    // Company B is onboarded in the manager; the one Kamailio learns its domain from the manager.
    const care = await signIn('care@cabine.test', 'cabine-care');
    const onboard = await request('POST', '/care/companies', care, {
      name: 'Bé SARL', country: 'FR', currency: 'EUR', sipDomain: domainB, admin: { displayName: 'Bob Boss', email: 'bob@b.test', extension: '1001' },
    });
    expect(onboard.status, JSON.stringify(onboard.body)).toBe(201);
    const { companyId, admin } = onboard.body as { companyId: string; admin: { id: string } };
    const mails = (await (await fetch(`${managerUrl}/dev/outbox.json`)).json()) as { messages: Array<{ to: string; text: string }> };
    const link = /\/set-password\?token=([A-Za-z0-9_-]+)/.exec(mails.messages.find((message) => message.to === 'bob@b.test')?.text ?? '')?.[1] ?? '';
    expect((await request('POST', '/auth/set-password', undefined, { token: link, password: 'bob-long-password-1' })).status).toBe(204);
    bobToken = await signIn('bob@b.test', 'bob-long-password-1');
    bAdminSip = await sipOf(bobToken);
    expect(bAdminSip.domain).toBe(domainB);
    expect(bAdminSip.username).toMatch(/^\d+:1001@b\.test$/);
    brunoSip = await sipOf(await signIn('bruno@cabine.test', bruno.password));
    expect(brunoSip.username).toMatch(/^\d+:1002@cabine\.test$/);
    // One number each, ringing each company's 1001.
    const aliceToken = await signIn('alice@cabine.test', alice.password);
    for (const [company, e164, bearer, userId] of [['cmp_demo', numberA, aliceToken, 'usr_demo_1001'], [companyId, numberB, bobToken, admin.id]] as const) {
      const added = await request('POST', `/care/companies/${company}/numbers`, care, { e164 });
      expect(added.status).toBe(201);
      expect((await request('PUT', `/numbers/${(added.body as { id: string }).id}/assignment`, bearer, { kind: 'user', userId })).status).toBe(200);
    }
    let rtp = 47_000;
    for (const user of [{ ...alice, domain: stack.domain }, { ...bruno, domain: stack.domain }, ...bPhones]) {
      rtp += 200;
      phones.set(`${user.username}@${user.domain}`, await startBaresip({
        runDir: join(runDir, `phone-${user.username}-${user.domain}`), sipPort: await freePortPair('127.0.0.1', true), ctrlPort: await freePortPair(),
        rtpPortMin: rtp, rtpPortMax: rtp + 99, toneHz: 440 + rtp % 1000,
        account: { role: 'desk-phone', username: user.username, password: user.password, domain: user.domain, registrar: `127.0.0.1:${udpPort}` },
      }));
    }
  }, 90_000);

  beforeEach(async () => {
    attackerHost += 1;
    attacker = await openRawSip({ bindHost: `127.0.0.${attackerHost}`, proxyHost: '127.0.0.1', proxyPort: udpPort });
    sockets.push(attacker);
  });

  afterAll(async () => {
    await Promise.allSettled([...phones.values()].map((p) => p.stop()));
    await Promise.allSettled(sockets.map((socket) => socket.close()));
    await stack?.stop();
    if (process.env['CABINE_KEEP_RUN_DIR'] !== '1') await rm(runDir, { recursive: true, force: true });
  });

  it('one server holds both companies\' 1001 and 1002 as four addresses of record', async () => {
    const aors = await registered();
    expect(aors).toEqual(expect.arrayContaining(['1001', '1002', `1001@${domainB}`, `1002@${domainB}`]));
  });

  for (const domain of ['cabine.test', domainB]) {
    it(`in ${domain}, 1001 calls 1002 of its own company, with audio both ways; the other company's 1002 never rings`, async () => {
      const other = domain === domainB ? 'cabine.test' : domainB;
      const caller = phone(`1001@${domain}`);
      const callee = phone(`1002@${domain}`);
      const stranger = phone(`1002@${other}`);
      const callerEvent = since(caller);
      const calleeEvent = since(callee);
      const strangerEvent = since(stranger);
      await caller.dial(`sip:1002@${domain}`);
      const incoming = await calleeEvent('CALL_INCOMING');
      expect(incoming.peeruri).toContain(`1001@${domain}`);
      await callee.answer();
      await calleeEvent('CALL_ESTABLISHED');
      await callerEvent('CALL_ESTABLISHED');
      for (let i = 0; i < 60 && (await callee.receivedAudio().catch(() => ({ samples: 0 }))).samples < 8_000 * 2; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await caller.hangup();
      await calleeEvent('CALL_CLOSED');
      const heard = await callee.receivedAudio();
      const carried = await caller.receivedAudio();
      console.info(`${domain}: 1002 heard ${heard.samples} samples (peak ${heard.peak}), 1001 heard ${carried.samples} (peak ${carried.peak})`);
      expect(heard.samples).toBeGreaterThan(8_000);
      expect(heard.peak).toBeGreaterThan(1_000);
      expect(carried.samples).toBeGreaterThan(8_000);
      expect(carried.peak).toBeGreaterThan(1_000);
      await expect(strangerEvent('CALL_INCOMING', 300)).rejects.toThrow();
    }, 60_000);
  }

  it("B's credentials never register in A's domain: as A's 1001 (403), with B's realm on A's challenge (401), with forged From/To/Request-URI domains (403)", async () => {
    const before = await registered();
    // Own credentials (1001@b.test, signed by the manager) for A's 1001 in A's domain.
    const asA = await sendAuthenticated(attacker, registerParts(attacker, `sip:${stack.domain}`, '1001', stack.domain, stack.domain), bAdminSip);
    expect(asA.final.status).toBe(403);
    expect(asA.final.firstLine).toContain('Credentials Of Another SIP Domain');
    // The digest computed for B's realm on A's challenge: not an answer to A's challenge.
    const parts = registerParts(attacker, `sip:${stack.domain}`, '1001', stack.domain, stack.domain);
    const challenge = await attacker.finalFor(attacker.send(parts), parts);
    expect(challenge.status).toBe(401);
    const wwwAuthenticate = header(challenge, 'www-authenticate');
    expect(wwwAuthenticate).toContain(`realm="${stack.domain}"`);
    const forged = digestAnswer(wwwAuthenticate.replace(`realm="${stack.domain}"`, `realm="${domainB}"`), { method: 'REGISTER', uri: parts.uri, ...bAdminSip });
    const retry = { ...parts, cseq: 2, headers: [...(parts.headers ?? []), `Authorization: ${forged}`] };
    expect((await attacker.finalFor(attacker.send(retry), retry)).status).toBe(401);
    // Forged domains: From B / To A, To B / Request-URI A... with B's credentials, and A's credentials in B.
    const cases: Array<{ parts: RequestParts; credentials: Credentials; what: string }> = [
      { parts: registerParts(attacker, `sip:${stack.domain}`, '1001', domainB, stack.domain), credentials: bAdminSip, what: 'From B, To A' },
      { parts: registerParts(attacker, `sip:${stack.domain}`, '1001', domainB, domainB), credentials: bAdminSip, what: 'From/To B, Request-URI A' },
      { parts: registerParts(attacker, `sip:${domainB}`, '1001', stack.domain, stack.domain), credentials: bAdminSip, what: 'From/To A, Request-URI B' },
      { parts: registerParts(attacker, `sip:${domainB}`, '1002', domainB, domainB), credentials: brunoSip, what: "A's 1002 credentials as B's 1002" },
    ];
    for (const { parts: attempt, credentials, what } of cases) {
      expect((await sendAuthenticated(attacker, attempt, credentials)).final.status, what).toBe(403);
    }
    // A domain nobody has: refused before any challenge.
    expect((await attacker.finalFor(attacker.send(registerParts(attacker, 'sip:nobody.test', '1001', 'nobody.test', 'nobody.test')))).status).toBe(403);
    expect(await attackerRegistered()).toBe(false);
    expect((await registered()).sort()).toEqual(before.sort());
    // Control: B's credentials register in B's own domain.
    const own = await sendAuthenticated(attacker, registerParts(attacker, `sip:${domainB}`, '1001', domainB, domainB), bAdminSip);
    expect(own.final.status).toBe(200);
    expect(await attackerRegistered()).toBe(true);
    // Its own contact only: "*" would also remove B's 1001 desk phone.
    const unregister = { ...registerParts(attacker, `sip:${domainB}`, '1001', domainB, domainB), contact: `<sip:1001@${attacker.host}:${attacker.port}>;expires=0`, headers: ['Expires: 0'] };
    expect((await sendAuthenticated(attacker, unregister, bAdminSip)).final.status).toBe(200);
    expect(await attackerRegistered()).toBe(false);
    expect(await registered()).toContain(`1001@${domainB}`);
  });

  it("an authenticated user of one company reaches no extension of the other: INVITE to its 1002, the other domain in From, a domain nobody has; nothing rings, nothing reaches the trunk", async () => {
    const trunkBefore = invitesAtTrunk();
    const ringing = [...phones.values()].map((p) => ({ p, event: since(p) }));
    const cases: Array<{ parts: RequestParts; credentials: Credentials; expected: number[]; what: string }> = [
      { parts: inviteParts(attacker, `sip:1002@${stack.domain}`, `sip:1001@${domainB}`), credentials: bAdminSip, expected: [403], what: "B's 1001 to A's 1002" },
      { parts: inviteParts(attacker, `sip:1002@${domainB}`, `sip:1002@${stack.domain}`), credentials: brunoSip, expected: [403], what: "A's 1002 to B's 1002" },
      { parts: inviteParts(attacker, `sip:1002@${stack.domain}`, `sip:1001@${stack.domain}`), credentials: bAdminSip, expected: [403], what: "B's credentials in A's From" },
      { parts: inviteParts(attacker, `sip:1002@${domainB}`, `sip:1002@${domainB}`), credentials: brunoSip, expected: [403], what: "A's credentials in B's From" },
      { parts: inviteParts(attacker, 'sip:1002@elsewhere.test', `sip:1002@${stack.domain}`), credentials: brunoSip, expected: [403], what: 'a domain nobody has in the Request-URI' },
      { parts: inviteParts(attacker, `sip:+33612345678@${stack.domain}`, `sip:1001@${stack.domain}`), credentials: bAdminSip, expected: [403], what: "B's credentials calling out on A's wallet" },
    ];
    for (const { parts, credentials, expected, what } of cases) {
      expect(expected, what).toContain((await sendAuthenticated(attacker, parts, credentials, 10_000)).final.status);
    }
    for (const { p, event } of ringing) await expect(event('CALL_INCOMING', 100), p.sipUri).rejects.toThrow();
    expect(invitesAtTrunk()).toBe(trunkBefore);
    // Control: a Request-URI naming the server's address means the caller's own domain (B's 1001 reaches B's 1002).
    const bCallee = since(phone(`1002@${domainB}`));
    const aCallee = since(phone(`1002@${stack.domain}`));
    const parts = inviteParts(attacker, `sip:1002@127.0.0.1:${stack.kamailio.udpPort}`, `sip:1001@${domainB}`);
    const pending = sendAuthenticated(attacker, parts, bAdminSip, 10_000);
    await bCallee('CALL_INCOMING');
    await phone(`1002@${domainB}`).hangup();
    expect([480, 486, 603]).toContain((await pending).final.status);
    await expect(aCallee('CALL_INCOMING', 100)).rejects.toThrow();
  }, 60_000);

  it("each company's number rings its own 1001 only: B's DID never reaches A's phones, nor A's B's", async () => {
    for (const [e164, domain, other] of [[numberB, domainB, stack.domain], [numberA, stack.domain, domainB]] as const) {
      const owner = since(phone(`1001@${domain}`));
      const stranger = since(phone(`1001@${other}`));
      const parts = inviteParts(trunk, `sip:${e164}@127.0.0.1:${stack.kamailio.udpPort}`, 'sip:+33612345678@carrier.invalid');
      const branch = trunk.send(parts);
      await owner('CALL_INCOMING');
      await phone(`1001@${domain}`).hangup();
      expect([480, 486, 603], e164).toContain((await trunk.finalFor(branch, parts, 10_000)).status);
      await expect(stranger('CALL_INCOMING', 100)).rejects.toThrow();
    }
  }, 60_000);

  it("an outside call of B's 1001 is authorized as B's 1001 and presents B's number, not A's 1001's", async () => {
    const mark = trunk.received.filter((message) => message.method === 'INVITE').length;
    // An included destination (no wallet needed): the manager decides for 1001 of b.test.
    const parts = inviteParts(attacker, `sip:+442079460000@${domainB}`, `sip:1001@${domainB}`);
    const pending = sendAuthenticated(attacker, parts, bAdminSip, 10_000);
    const atTrunk = await trunk.next((message) => message.method === 'INVITE' && trunk.received.filter((m) => m.method === 'INVITE').length > mark, 5_000, "B's call at the trunk");
    trunk.respond(atTrunk, 486, 'Busy Here');
    expect((await pending).final.status).toBe(486);
    expect(header(atTrunk, 'p-asserted-identity')).toBe(`<sip:${numberB}@${domainB};user=phone>`);
    expect(atTrunk.raw).not.toContain(numberA);
  });

  it("a lockout of B's 1002 (5 wrong passwords) leaves A's 1002 alone", async () => {
    const wrong = { username: '1002', password: 'not-the-password' };
    for (let i = 0; i < 5; i += 1) {
      expect((await sendAuthenticated(attacker, registerParts(attacker, `sip:${domainB}`, '1002', domainB, domainB), wrong)).final.status).toBe(401);
    }
    const right = bPhones[1];
    const locked = await sendAuthenticated(attacker, registerParts(attacker, `sip:${domainB}`, '1002', domainB, domainB), right);
    expect(locked.final.firstLine).toContain('403 Too Many Failed Attempts');
    // A's 1002 (same extension, other company) still registers from the same socket.
    const aParts = registerParts(attacker, `sip:${stack.domain}`, '1002', stack.domain, stack.domain);
    expect((await sendAuthenticated(attacker, aParts, { username: bruno.username, password: bruno.password })).final.status).toBe(200);
    const bans = await stack.kamailio.rpc(['htable.dump', 'authban']);
    expect(bans).toContain(`u:1002@${domainB}`);
    expect(bans).not.toContain(`u:1002@${stack.domain}`);
    const unregister = { ...aParts, callId: `reg-${token()}`, contact: `<sip:1002@${attacker.host}:${attacker.port}>;expires=0`, headers: ['Expires: 0'] };
    expect((await sendAuthenticated(attacker, unregister, { username: bruno.username, password: bruno.password })).final.status).toBe(200);
    expect(await attackerRegistered()).toBe(false);
  });

  it("revoking A's 1001 (deactivated) drops A's 1001 only: B's 1001 stays registered and its credentials keep working", async () => {
    const aliceToken = await signIn('alice@cabine.test', alice.password);
    // Bruno becomes an admin, then deactivates Alice (A's 1001).
    expect((await request('PUT', '/people/usr_demo_1002', aliceToken, { role: 'admin' })).status).toBe(200);
    const brunoToken = await signIn('bruno@cabine.test', bruno.password);
    expect((await request('POST', '/people/usr_demo_1001/deactivate', brunoToken)).status).toBe(200);
    await eventually("A's 1001 unregistered", async () => !(await registered()).includes('1001'), 5_000);
    const aors = await registered();
    expect(aors).toContain(`1001@${domainB}`);
    expect(aors).toContain('1002');
    // A's 1001 is refused; B's 1001 with the manager's credentials is not (nor is B's 1001 in sipdeny).
    const aliceStatic = { username: alice.username, password: alice.password };
    const refused = await sendAuthenticated(attacker, registerParts(attacker, `sip:${stack.domain}`, '1001', stack.domain, stack.domain), aliceStatic);
    expect(refused.final.status).toBe(403);
    expect(refused.final.firstLine).toContain('Credentials Revoked');
    const bob = await sendAuthenticated(attacker, registerParts(attacker, `sip:${domainB}`, '1001', domainB, domainB), await sipOf(bobToken));
    expect(bob.final.status).toBe(200);
    const deny = await stack.kamailio.rpc(['htable.dump', 'sipdeny']);
    expect(deny).toContain(`1001@${stack.domain}`);
    expect(deny).not.toContain(`1001@${domainB}`);
  }, 30_000);
});
