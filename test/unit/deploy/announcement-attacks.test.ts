/**
 * The balance announcement as an attacker sees it (issue 10 section 2, the proxy's own early-media leg):
 * nothing about it may open the trunk or skip the manager. Against the real stack (Kamailio, rtpengine, the
 * manager with espeak-ng prompts) whose trunk is a recording endpoint that accepts everything: forged
 * announcement headers, a request claiming to be the proxy's own leg, refused and included calls.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../deploy/local-stack.js';
import { demoUsers } from '../../../shared/config/defaults.js';
import { call } from './support/raw-dialog.js';
import { openRawSip, plainSdp, token, type RawSipSocket } from './support/raw-sip.js';
import { startSipSink, type SipSink } from './support/sip-sink.js';

const [alice] = demoUsers;
if (alice === undefined) throw new Error('the tests need the demo admin');
const paidNumber = '+447400900123';
const includedNumber = '+442079460000';

describe('the announcement leg cannot be used to reach the trunk (real Kamailio, rtpengine, manager)', () => {
  let runDir: string;
  let stack: LocalStack;
  let trunk: SipSink;
  const sockets: RawSipSocket[] = [];

  const socketFrom = async (host: string): Promise<RawSipSocket> => {
    const socket = await openRawSip({ bindHost: host, proxyHost: '127.0.0.1', proxyPort: stack.kamailio.udpPort });
    sockets.push(socket);
    return socket;
  };
  const prompts = async (): Promise<string[]> => (await readdir(join(runDir, 'prompts')).catch(() => [])).filter((name) => name.endsWith('.wav'));
  /** An INVITE as an attacker writes it: no credentials, headers of their choosing. */
  const forgedInvite = (socket: RawSipSocket, target: string, headers: readonly string[]) =>
    socket.finalFor(
      socket.send({
        method: 'INVITE', uri: `sip:${target}@${stack.domain}`, from: `<sip:${alice.username}@${stack.domain}>;tag=${token()}`,
        to: `<sip:${target}@${stack.domain}>`, callId: `forged-${token()}`, cseq: 1, contact: `<sip:x@${socket.host}:${socket.port}>`,
        headers, body: plainSdp(socket.host, 40_010),
      }),
    );

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cabine-announce-attacks-'));
    trunk = await startSipSink('127.0.0.1');
    stack = await startLocalStack({ runDir, carrier: false, trunkAddress: trunk.address, announcements: true });
  });

  afterAll(async () => {
    await Promise.allSettled(sockets.map((socket) => socket.close()));
    await stack?.stop();
    await trunk?.close();
    if (process.env['CABINE_KEEP_RUN_DIR'] !== '1') await rm(runDir, { recursive: true, force: true });
  });

  it('a forged X-Cabine-Announce header gets no call past authentication', async () => {
    const mark = trunk.requests.length;
    const socket = await socketFrom('127.0.0.21');
    const answer = await forgedInvite(socket, paidNumber, ['X-Cabine-Announce: 10;0000000000000000000000000000000000000000000000000000000000000000']);
    expect(answer.status).toBe(407);
    expect(trunk.requests.slice(mark)).toEqual([]);
  });

  it('a request claiming the proxy’s own leg (from 127.0.0.1, another port) is an ordinary, unauthenticated request', async () => {
    const mark = trunk.requests.length;
    const socket = await socketFrom('127.0.0.1');
    const answer = await forgedInvite(socket, paidNumber, [`X-Cabine-Announce: 10;${'ab'.repeat(32)}`]);
    expect(answer.status).toBe(407);
    expect(trunk.requests.slice(mark)).toEqual([]);
  });

  it('an authorized paid call is announced first and reaches the trunk without the proxy’s leg header', async () => {
    const socket = await socketFrom('127.0.0.22');
    const before = await prompts();
    const established = await call(socket, stack.domain, alice, paidNumber);
    expect(established.final.status).toBe(200);
    expect((await prompts()).length).toBe(before.length + 1);
    const invites = trunk.distinct('INVITE').filter((request) => request.headers.get('call-id')?.[0] === established.callId);
    expect(invites).toHaveLength(1);
    expect(invites[0]?.headers.has('x-cabine-announce')).toBe(false);
  }, 30_000);

  it('refused and included calls are never announced', async () => {
    const socket = await socketFrom('127.0.0.23');
    const before = await prompts();
    // Satellite numbers are blocked for the company by default (class_blocked): refused, no prompt.
    const refused = await call(socket, stack.domain, alice, '+881612345678');
    expect(refused.final.status).toBe(403);
    const included = await call(socket, stack.domain, alice, includedNumber);
    expect(included.final.status).toBe(200);
    expect(await prompts()).toEqual(before);
  }, 30_000);
});
