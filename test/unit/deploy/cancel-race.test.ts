/**
 * The CANCEL race (issue 8, point 4): a caller gives up while the proxy is still waiting for the manager's
 * authorize, or the manager answers after the proxy stopped waiting. Every ordering must leave no
 * reservation behind: funds held for a call that never happened would block the wallet until they expire.
 *
 * A real HTTP relay between Kamailio and the manager delays /calls/authorize (a slow network or a busy
 * manager), the caller is hand-made SIP over UDP (exact CANCEL timing), the trunk is a recording endpoint
 * that answers at once. For many CANCEL timings around the authorize window, and with the manager slower
 * than the proxy's 1 s timeout, the test asserts that in the end nothing is reserved and the only charges
 * are those of calls that were really answered.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../deploy/local-stack.js';
import { demoUsers } from '../../../shared/config/defaults.js';
import { managerApi, type ManagerApi } from './manager-api.js';
import { sendInDialog, type RawCall } from './support/raw-dialog.js';
import { digestAnswer, header, headerValues, openRawSip, plainSdp, tagOf, token, uriOf, type RawSipSocket, type RequestParts } from './support/raw-sip.js';
import { startSipSink, type SipSink } from './support/sip-sink.js';

const [alice] = demoUsers;
if (alice === undefined) {
  throw new Error('the tests need the demo admin');
}
const paidNumber = '+13405550100';
const busyNumber = '+13405550486';
const congestedNumber = '+13405550503';

/** An HTTP relay to `target` that holds /calls/authorize requests for `delayMs` before forwarding them. */
async function startDelayingRelay(target: string): Promise<{ url: string; delayMs: number; authorizes: number; close(): Promise<void> }> {
  const state = { url: '', delayMs: 0, authorizes: 0, close: (): Promise<void> => Promise.resolve() };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const isAuthorize = (request.url ?? '').endsWith('/calls/authorize');
      if (isAuthorize) {
        state.authorizes += 1;
      }
      const forward = async (): Promise<void> => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.headers)) {
          if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) {
            headers[name] = value;
          }
        }
        const upstream = await fetch(`${target}${request.url?.replace(/^\/api\/v1/, '') ?? ''}`, {
          method: request.method ?? 'POST', headers, body: chunks.length > 0 ? Buffer.concat(chunks) : null,
        });
        const body = Buffer.from(await upstream.arrayBuffer());
        // The proxy may have given up and closed the connection: the manager has answered all the same.
        if (!response.destroyed) {
          response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
          response.end(body);
        }
      };
      setTimeout(() => void forward().catch(() => response.destroy()), isAuthorize ? state.delayMs : 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  state.url = `http://127.0.0.1:${port}/api/v1`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}

describe('CANCEL and late answers never leave funds reserved (real Kamailio and manager, a slow link between them)', () => {
  let runDir: string;
  let stack: LocalStack;
  let trunk: SipSink;
  let relay: Awaited<ReturnType<typeof startDelayingRelay>>;
  let api: ManagerApi;
  let adminToken: string;
  let socket: RawSipSocket;

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cabine-cancel-'));
    // The carrier refuses two numbers: busy (486) and congestion (503).
    trunk = await startSipSink('127.0.0.1', (request) => (request.uri?.includes(busyNumber) ? 486 : request.uri?.includes(congestedNumber) ? 503 : 200));
    stack = await startLocalStack({
      runDir, carrier: false, rtpengine: false, trunkAddress: trunk.address, paidCallsPerMinute: 1000,
      managerEnv: { CABINE_MAX_CALL_SECONDS: '60' },
      billingApiUrl: async (managerApiUrl) => {
        relay = await startDelayingRelay(managerApiUrl);
        return relay.url;
      },
    });
    if (stack.manager === undefined) {
      throw new Error('the manager did not start');
    }
    api = managerApi(stack.manager.url);
    adminToken = await api.signIn('alice@cabine.test', alice.password);
    socket = await openRawSip({ bindHost: '127.0.0.1', proxyHost: '127.0.0.1', proxyPort: stack.kamailio.udpPort });
  });

  afterAll(async () => {
    await socket?.close();
    await stack?.stop();
    await relay?.close();
    await trunk?.close();
    if (process.env['CABINE_KEEP_RUN_DIR'] !== '1') {
      await rm(runDir, { recursive: true, force: true });
    }
  });

  /**
   * One paid call attempt, authenticated, CANCELled `cancelAfterMs` after the authenticated INVITE left
   * (undefined: never). Returns its final answer and Call-ID; an answered call is hung up at once.
   */
  const attempt = async (cancelAfterMs: number | undefined, number = paidNumber): Promise<{ status: number; callId: string }> => {
    const from = `<sip:${alice.username}@${stack.domain}>;tag=${token()}`;
    const invite: RequestParts = {
      method: 'INVITE', uri: `sip:${number}@${stack.domain}`, from, to: `<sip:${number}@${stack.domain}>`, callId: `race-${token()}`, cseq: 1,
      contact: `<sip:${alice.username}@${socket.host}:${socket.port}>`, body: plainSdp(socket.host, 40_100),
    };
    const challenge = await socket.finalFor(socket.send(invite), invite);
    expect(challenge.status).toBe(407);
    const authorized: RequestParts = {
      ...invite, cseq: 2,
      headers: [`Proxy-Authorization: ${digestAnswer(header(challenge, 'proxy-authenticate'), { method: 'INVITE', uri: invite.uri, ...alice })}`],
    };
    const branch = socket.send(authorized);
    // Any provisional answer (100 Trying) makes the CANCEL legal (RFC 3261 9.1); the proxy sends 100 at once.
    if (cancelAfterMs !== undefined) {
      await socket.next((message) => message.status === 100 && header(message, 'via').includes(branch), 5_000, '100 Trying');
      setTimeout(() => {
        socket.send({ ...authorized, method: 'CANCEL', cseqMethod: 'CANCEL', branch, headers: [], body: '' });
      }, cancelAfterMs);
    }
    const final = await socket.finalFor(branch, authorized, 10_000);
    if (final.status === 200) {
      const dialog: RawCall = {
        final, callId: invite.callId, fromTag: tagOf(from), toTag: tagOf(header(final, 'to')), remoteTarget: uriOf(header(final, 'contact')),
        routeSet: headerValues(final, 'record-route').reverse(), from, to: header(final, 'to'), cseq: 3,
      };
      sendInDialog(socket, dialog, 'ACK', { cseq: 2 });
      expect((await socket.finalFor(sendInDialog(socket, dialog, 'BYE'))).status).toBe(200);
    }
    return { status: final.status ?? 0, callId: invite.callId };
  };

  it('for CANCELs at many moments around a 300 ms authorize, and answers later than the proxy waits', async () => {
    const before = await api.wallet(adminToken);
    const outcomes: { delayMs: number; cancelAfterMs: number | undefined; status: number; callId: string }[] = [];
    const runs: [number, number | undefined][] = [
      ...[0, 10, 25, 50, 100, 150, 200, 240, 270, 290, 300, 310, 330, 360, 400, 500].map((cancel): [number, number] => [300, cancel]),
      // The manager answers after the proxy's 1 s timeout: the proxy refuses (503) and releases; the
      // manager's late reservation must not survive, with or without a CANCEL on top.
      [1_500, undefined], [1_500, 200], [1_500, 1_100], [1_500, 1_600],
    ];
    for (const [delayMs, cancelAfterMs] of runs) {
      relay.delayMs = delayMs;
      outcomes.push({ delayMs, cancelAfterMs, ...(await attempt(cancelAfterMs)) });
    }
    // Authorized, then refused by the carrier.
    relay.delayMs = 0;
    for (const number of [busyNumber, congestedNumber]) {
      outcomes.push({ delayMs: 0, cancelAfterMs: undefined, ...(await attempt(undefined, number)) });
    }
    const statuses = outcomes.map((outcome) => outcome.status);
    console.info(`CANCEL race: ${outcomes.map((o) => `${o.delayMs}/${o.cancelAfterMs ?? '-'}→${o.status}`).join(' ')}`);
    // Every attempt got a final answer of a kind the timing explains, and at least some of each kind ran.
    expect(statuses.every((status) => [200, 486, 487, 500, 503].includes(status))).toBe(true);
    // The carrier's 503 reaches the caller as 500 (RFC 3261 16.7: a proxy does not forward a 503).
    expect(statuses.slice(-2)).toEqual([486, 500]);
    expect(statuses).toContain(487);
    expect(statuses).toContain(503);

    // Nothing stays reserved: eventually (retried releases, the manager's late commits) the wallet holds 0.
    await expect.poll(async () => (await api.wallet(adminToken)).reservedMinor, { timeout: 15_000, interval: 100 }).toBe(0);
    // Only answered calls were charged, each once.
    const answered = outcomes.filter((outcome) => outcome.status === 200).map((outcome) => outcome.callId);
    await expect
      .poll(async () => (await api.activity(adminToken)).filter((item) => item.kind === 'call_charge' && outcomes.some((o) => item.reference.startsWith(`${o.callId}~`))).length, { timeout: 15_000 })
      .toBe(answered.length);
    const charges = (await api.activity(adminToken)).filter((item) => item.kind === 'call_charge' && outcomes.some((o) => item.reference.startsWith(`${o.callId}~`)));
    expect(charges.map((item) => item.reference.split('~')[0]).sort()).toEqual([...answered].sort());
    const after = await api.wallet(adminToken);
    expect(after.balanceMinor).toBe(before.balanceMinor + charges.reduce((sum, item) => sum + item.amountMinor, 0));
    // No call the manager did not authorize reached the trunk: one INVITE per 200 or cancelled-after-relay.
    expect(trunk.distinct('INVITE').length).toBeLessThanOrEqual(outcomes.filter((o) => o.status !== 503).length);
    expect(relay.authorizes).toBe(runs.length + 2);
  });
});
