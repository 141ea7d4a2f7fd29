/**
 * Revocation at the proxy (issue 11, docs/sip-server.md "Revocation"): the admin deactivates an employee and,
 * within 5 s, the employee's phone is unregistered, their call in progress ends on both sides, and their
 * time-limited SIP credentials, still days from expiry, are refused (403) for REGISTER and INVITE over
 * WebSocket and, replayed by an attacker, over UDP. After a Kamailio restart the proxy rebuilds the list from
 * the manager and still refuses them; after a reactivation the old credentials stay dead and new ones work.
 *
 * Real stack (deploy/local-stack.ts): Kamailio (jsonrpcs on its loopback ws port), rtpengine, the manager
 * (SQLite, demo company, outbox mailer). Phones: SIP.js over ws (Alice and the new employee), and a
 * hand-written UDP user agent (support/raw-sip.ts) replaying the employee's credentials. No sleeps.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inviter, SessionState, type Session } from 'sip.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortPair } from '../../../deploy/child-process.js';
import { startLocalStack, type LocalStack } from '../../../deploy/local-stack.js';
import { endReasonForBye } from '../../../renderer/src/sip/end-reason.js';
import { addPersonResponseSchema, personViewSchema } from '../../../shared/api/people-schemas.js';
import { managerApi, type ManagerApi } from './manager-api.js';
import { connectTestPhone, sessionReaches, type TestPhone } from './sip-test-phone.js';
import { eventually } from './support/eventually.js';
import { sendAuthenticated } from './support/raw-dialog.js';
import { openRawSip, plainSdp, token, type RawSipSocket } from './support/raw-sip.js';

interface SipCredentials { readonly extension: string; readonly authorizationUsername: string; readonly password: string; readonly wsUrl: string; readonly domain: string }

describe('revocation at the proxy (real Kamailio, rtpengine, manager; SIP.js over ws and a raw UDP user agent)', () => {
  let runDir: string;
  let stack: LocalStack;
  let api: ManagerApi;
  let managerUrl: string;
  let adminToken: string;
  let employeeId: string;
  let old: SipCredentials;
  let alice: TestPhone;
  let employee: TestPhone;
  let udp: RawSipSocket;
  const email = 'eve.revoked@cabine.test';

  const request = async (method: 'GET' | 'POST' | 'PUT', path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${managerUrl}${path}`, {
      method,
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text.length > 0 ? (JSON.parse(text) as unknown) : null };
  };
  const credentialsOf = async (bearer: string): Promise<SipCredentials> => {
    const sip = await api.sipConfig(bearer);
    return { extension: sip.extension, authorizationUsername: sip.authorizationUsername, password: sip.password, wsUrl: sip.wsUrl, domain: sip.domain };
  };
  const phoneOf = (credentials: SipCredentials) => connectTestPhone({
    server: credentials.wsUrl, domain: credentials.domain, username: credentials.extension,
    authorizationUsername: credentials.authorizationUsername, password: credentials.password,
  });
  /** REGISTER over the raw UDP socket with `credentials`: the final status. */
  const udpRegister = async (credentials: SipCredentials): Promise<number> => {
    const aor = `<sip:${credentials.extension}@${credentials.domain}>`;
    const { final } = await sendAuthenticated(udp, {
      method: 'REGISTER', uri: `sip:${credentials.domain}`, from: `${aor};tag=${token()}`, to: aor, callId: `reg-${token()}`, cseq: 1,
      contact: `<sip:${credentials.extension}@${udp.host}:${udp.port}>;expires=120`, headers: ['Expires: 120'],
    }, { username: credentials.authorizationUsername, password: credentials.password });
    return final.status ?? 0;
  };
  /** INVITE 1001 over the raw UDP socket: the final status. */
  const udpInvite = async (credentials: SipCredentials): Promise<number> => {
    const { final } = await sendAuthenticated(udp, {
      method: 'INVITE', uri: `sip:1001@${credentials.domain}`, from: `<sip:${credentials.extension}@${credentials.domain}>;tag=${token()}`, to: `<sip:1001@${credentials.domain}>`,
      callId: `call-${token()}`, cseq: 1, contact: `<sip:${credentials.extension}@${udp.host}:${udp.port}>`, body: plainSdp(udp.host, 40_002),
    }, { username: credentials.authorizationUsername, password: credentials.password }, 10_000);
    return final.status ?? 0;
  };

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cabine-revocation-'));
    const sipWs = await freePortPair();
    stack = await startLocalStack({
      runDir, carrier: false, ports: { sipWs },
      // The manager pushes revocations to Kamailio's jsonrpcs on the loopback ws port.
      managerEnv: { CABINE_KAMAILIO_RPC_URL: `http://127.0.0.1:${sipWs}/RPC`, CABINE_MAILER: 'outbox' },
    });
    if (stack.manager === undefined) throw new Error('the manager did not start');
    managerUrl = stack.manager.url;
    api = managerApi(managerUrl);
    adminToken = await api.signIn('alice@cabine.test', 'cabine-1001');
    // Alice adds the employee; the employee sets a password from the welcome mail's link.
    const added = await request('POST', '/api/v1/people', adminToken, { displayName: 'Eve Revoked', email });
    expect(added.status).toBe(201);
    employeeId = addPersonResponseSchema.parse(added.body).person.id;
    const outbox = (await request('GET', '/dev/outbox.json')).body as { messages: Array<{ to: string; text: string }> };
    const link = /\/set-password\?token=([A-Za-z0-9_-]+)/.exec(outbox.messages.find((message) => message.to === email)?.text ?? '')?.[1] ?? '';
    expect((await request('POST', '/api/v1/auth/set-password', undefined, { token: link, password: 'eve-long-password' })).status).toBe(204);
    const employeeToken = await api.signIn(email, 'eve-long-password');
    old = await credentialsOf(employeeToken);
    alice = await phoneOf(await credentialsOf(adminToken));
    employee = await phoneOf(old);
    udp = await openRawSip({ bindHost: '127.0.0.1', proxyHost: '127.0.0.1', proxyPort: stack.kamailio.udpPort });
  }, 60_000);

  afterAll(async () => {
    await udp?.close();
    await employee?.stop().catch(() => undefined);
    await alice?.stop().catch(() => undefined);
    await stack?.stop();
    if (process.env['CABINE_KEEP_RUN_DIR'] !== '1') await rm(runDir, { recursive: true, force: true });
  });

  it('a deactivated employee is unregistered, their call ends and their unexpired credentials are refused on every transport, across a restart', async () => {
    // Before: the credentials work over ws and over UDP (so the refusals below are the revocation's).
    expect(await alice.register()).toBe(200);
    expect(await employee.register()).toBe(200);
    expect(await udpRegister(old)).toBe(200);
    expect(await stack.kamailio.registrations()).toContain(old.extension);
    expect(Number(old.authorizationUsername.split(':')[0]) * 1000).toBeGreaterThan(Date.now() + 3600_000);

    // A call in progress: the employee calls Alice, who answers.
    const ringing = alice.nextInvitation();
    const target = employee.userAgent.userAgentCore.configuration.aor.clone();
    target.user = '1001';
    const outgoing = new Inviter(employee.userAgent, target);
    await outgoing.invite();
    const incoming = await ringing;
    await incoming.accept();
    await Promise.all([sessionReaches(outgoing, SessionState.Established), sessionReaches(incoming, SessionState.Established)]);

    // The BYE Alice gets is not the proxy's cut for lack of funds: her app must not say the funds ran out.
    let aliceByeReasons: string[] | undefined;
    incoming.delegate = {
      onBye(bye) {
        aliceByeReasons = bye.request.getHeaders('Reason');
        void bye.accept();
      },
    };
    const ended = (session: Session) => sessionReaches(session, SessionState.Terminated).then(() => Date.now());
    const callerEnded = ended(outgoing);
    const calleeEnded = ended(incoming);
    const started = Date.now();
    const deactivated = await request('POST', `/api/v1/people/${employeeId}/deactivate`, adminToken);
    expect(personViewSchema.parse(deactivated.body).status).toBe('deactivated');
    await eventually('the employee unregistered', async () => !(await stack.kamailio.registrations()).includes(old.extension), 5_000);
    const unregisteredMs = Date.now() - started;
    const [callerMs, calleeMs] = (await Promise.all([callerEnded, calleeEnded])).map((at) => at - started);
    console.info(`revocation: unregistered after ${unregisteredMs} ms, call ended after ${callerMs} ms (caller) / ${calleeMs} ms (callee)`);
    expect(Math.max(unregisteredMs, callerMs ?? Infinity, calleeMs ?? Infinity)).toBeLessThan(5_000);
    expect(aliceByeReasons?.join(', ')).toContain('SIP;cause=403;text="Account deactivated"');
    expect(endReasonForBye(aliceByeReasons ?? [])).toBe('remote-hangup');
    expect(await stack.kamailio.registrations()).toContain('1001');

    // The same unexpired credentials: refused over ws (REGISTER) and, replayed, over UDP (REGISTER, INVITE).
    expect(await employee.register()).toBe(403);
    expect(await udpRegister(old)).toBe(403);
    expect(await udpInvite(old)).toBe(403);
    expect(await stack.kamailio.registrations()).not.toContain(old.extension);

    // A restart forgets the pushed table; the proxy rebuilds it from the manager and keeps refusing.
    await stack.kamailio.restart();
    await eventually('the revocation list rebuilt', async () => (await stack.kamailio.rpc(['htable.get', 'sipdeny', `${old.extension}@${old.domain}`])).includes('2147483647'), 10_000);
    expect(await udpRegister(old)).toBe(403);
    expect(await udpInvite(old)).toBe(403);
  }, 90_000);

  it('after a reactivation the old credentials stay refused and new ones work', async () => {
    // Whole seconds: new credentials must expire after the old ones' second.
    const deactivatedSecond = Math.floor(Date.now() / 1000);
    await eventually('the next second', () => Promise.resolve(Math.floor(Date.now() / 1000) > deactivatedSecond + 1), 5_000);
    expect((await request('POST', `/api/v1/people/${employeeId}/reactivate`, adminToken)).status).toBe(200);
    expect(await udpRegister(old)).toBe(403);
    const fresh = await credentialsOf(await api.signIn(email, 'eve-long-password'));
    expect(fresh.authorizationUsername).not.toBe(old.authorizationUsername);
    expect(await udpRegister(fresh)).toBe(200);
  }, 30_000);

  it('the RPC door takes only the manager: no secret, or a command a revocation does not need, is refused', async () => {
    const rpcUrl = `${stack.kamailio.wsUrl.replace('ws://', 'http://')}/RPC`;
    const post = (headers: Record<string, string>, method: string) => fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ jsonrpc: '2.0', method, params: [], id: 1 }) });
    expect((await post({}, 'dlg.list')).status).toBe(403);
    expect((await post({ 'x-cabine-proxy-secret': 'wrong' }, 'ul.rm')).status).toBe(403);
    // With the right secret (read from the rendered config), a command outside the five: still refused.
    const dir = join(runDir, 'kamailio');
    let secret = '';
    for (const name of (await readdir(dir)).filter((file) => file.endsWith('.cfg'))) {
      secret ||= /!CABINE_PROXY_SECRET!([^!]+)!g/.exec(await readFile(join(dir, name), 'utf8'))?.[1] ?? '';
    }
    expect(secret).not.toBe('');
    expect((await post({ 'x-cabine-proxy-secret': secret }, 'core.kill')).status).toBe(403);
    expect((await post({ 'x-cabine-proxy-secret': secret }, 'htable.flush')).status).toBe(403);
    const allowed = await post({ 'x-cabine-proxy-secret': secret }, 'dlg.list');
    expect(allowed.status).toBe(200);
    // Nothing the refused calls asked for happened: the (reactivated) employee is still registered.
    expect(await stack.kamailio.registrations()).toContain(old.extension);
  });
});
