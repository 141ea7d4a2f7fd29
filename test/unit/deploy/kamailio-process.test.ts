/**
 * The real Kamailio, started by deploy/kamailio-process.ts on free ports in a temporary run dir, driven by
 * SIP.js (WebSocket, in Node) and sipp (UDP).
 */
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Inviter, SessionState, UserAgent } from 'sip.js';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSipDomain, demoUsers } from '../../../shared/config/defaults.js';
import { writeSubscriberTable } from '../../../deploy/kamailio-config.js';
import { KamailioStartError, startKamailio, type RunningKamailio } from '../../../deploy/kamailio-process.js';
import { freeTcpPort, freeUdpPort } from './free-ports.js';
import { connectTestPhone, sessionReaches, type TestPhone } from './sip-test-phone.js';
import { eventually } from './support/eventually.js';

const execFileAsync = promisify(execFile);
const registerScenario = fileURLToPath(new URL('../../../deploy/sipp/register-auth.xml', import.meta.url));

const [alice, bob, carol] = demoUsers;
if (alice === undefined || bob === undefined || carol === undefined) {
  throw new Error('the tests need three demo users');
}

/** Pids of live processes whose command line mentions `needle` (Kamailio workers share the main's). */
async function processesMentioning(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      if (cmdline.includes(needle) && !cmdline.includes('vitest')) {
        pids.push(Number(entry));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

describe('Kamailio started by startKamailio', () => {
  let runDir: string;
  let server: RunningKamailio;
  let wsPort: number;
  let udpPort: number;
  const phones: TestPhone[] = [];

  const phone = async (user: { username: string; password: string }, server_ = server.wsUrl): Promise<TestPhone> => {
    const created = await connectTestPhone({ server: server_, domain: defaultSipDomain, ...user });
    phones.push(created);
    return created;
  };

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cabine-kamailio-'));
    [wsPort, udpPort] = [await freeTcpPort(), await freeUdpPort()];
    server = await startKamailio({
      runDir,
      wsPort,
      udpPort,
      wssPort: await freeTcpPort(),
      domain: defaultSipDomain,
      users: demoUsers,
    });
  });

  afterAll(async () => {
    await Promise.allSettled(phones.map((p) => p.stop()));
    await server.stop();
    await rm(runDir, { recursive: true, force: true });
  });

  it('renders a config that `kamailio -c` accepts', async () => {
    const { stdout, stderr } = await execFileAsync('kamailio', ['-f', join(runDir, 'kamailio.cfg'), '-c'], { cwd: runDir });
    expect(`${stdout}${stderr}`).toContain('config file ok');
    expect(server.wsUrl).toBe(`ws://127.0.0.1:${wsPort}`);
    expect(server.wssUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    // The subscriber table holds digest hashes, never the passwords.
    expect(await readFile(join(runDir, 'db', 'subscriber'), 'utf8')).not.toContain(alice.password);
    // What holds secrets (the shared secrets, the digest hashes, the TLS key) only its owner can read.
    for (const file of ['cabine-local.cfg', join('db', 'subscriber'), 'tls-key.pem']) {
      expect((await stat(join(runDir, file))).mode & 0o777, file).toBe(0o600);
    }
    expect((await stat(runDir)).mode & 0o777).toBe(0o700);
  });

  it('rejects bad options and busy ports with a clear error', async () => {
    const base = { runDir, wsPort: await freeTcpPort(), udpPort: await freeUdpPort(), domain: defaultSipDomain, users: demoUsers };
    await expect(startKamailio({ ...base, runDir: 'relative/dir' })).rejects.toThrow(/runDir: must be an absolute path/);
    await expect(startKamailio({ ...base, users: [] })).rejects.toThrow(/at least one user/);
    await expect(startKamailio({ ...base, wsPort: wsPort })).rejects.toThrow(KamailioStartError);
    await expect(startKamailio({ ...base, wsPort: wsPort })).rejects.toThrow(/port .* is already in use/);
  });

  it('registers over WebSocket with the right password, refuses a wrong one', async () => {
    const good = await phone(alice);
    expect(await good.register()).toBe(200);
    expect(await server.registrations()).toContain(alice.username);

    const bad = await phone({ username: carol.username, password: 'wrong' });
    expect([401, 403]).toContain(await bad.register());
    expect(await server.registrations()).not.toContain(carol.username);
  });

  it('answers the CRLF keep-alive SIP.js sends over WebSocket (RFC 5626 4.4.1)', async () => {
    const socket = new WebSocket(server.wsUrl, 'sip');
    try {
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      expect(socket.protocol).toBe('sip');
      const pong = new Promise<string>((resolve) => socket.once('message', (data: Buffer) => resolve(data.toString())));
      socket.send('\r\n\r\n');
      expect(await pong).toBe('\r\n');
    } finally {
      socket.close();
    }
  });

  it('picks up a rewritten subscriber table without a restart', async () => {
    const newcomer = { username: '1004', password: 'cabine-1004' };
    const early = await phone(newcomer);
    expect([401, 403]).toContain(await early.register());
    await writeSubscriberTable(runDir, defaultSipDomain, [...demoUsers, newcomer]);
    const late = await phone(newcomer);
    expect(await late.register()).toBe(200);
  });

  it('registers over secure WebSocket (self-signed certificate)', async () => {
    const secure = await phone(bob, server.wssUrl);
    expect(await secure.register()).toBe(200);
    await secure.stop();
  });

  it('routes a call from one user to another, Record-Routed, and the BYE ends it', async () => {
    const caller = await phone(alice);
    const callee = await phone(bob);
    expect(await caller.register()).toBe(200);
    expect(await callee.register()).toBe(200);

    const target = UserAgent.makeURI(`sip:${bob.username}@${defaultSipDomain}`);
    if (target === undefined) {
      throw new Error('bad target');
    }
    const inviter = new Inviter(caller.userAgent, target);
    const incoming = callee.nextInvitation();
    const established = sessionReaches(inviter, SessionState.Established);
    await inviter.invite();

    const invitation = await incoming;
    // The INVITE was authenticated by the proxy (407) and passed through it: Record-Route names Kamailio.
    expect(invitation.request.from.uri.user).toBe(alice.username);
    expect(invitation.request.getHeader('record-route')).toContain(`127.0.0.1:${wsPort}`);
    expect(invitation.request.getHeader('proxy-authorization')).toBeUndefined();

    let byeVias = 0;
    invitation.delegate = {
      onBye: (bye) => {
        byeVias = bye.request.getHeaders('via').length;
        void bye.accept();
      },
    };
    const calleeEnded = sessionReaches(invitation, SessionState.Terminated);
    await invitation.accept();
    await established;

    await inviter.bye();
    await calleeEnded;
    expect(byeVias).toBe(2); // caller + Kamailio: the BYE followed the Record-Route
  });

  it('answers 404 for a user who is not registered', async () => {
    const caller = await phone(alice);
    expect(await caller.register()).toBe(200);
    // An extension of the company's range nobody holds (1010-1099 is France's operator block, not extensions).
    const target = UserAgent.makeURI(`sip:1999@${defaultSipDomain}`);
    if (target === undefined) {
      throw new Error('bad target');
    }
    const inviter = new Inviter(caller.userAgent, target);
    const status = new Promise<number>((resolve) => {
      void inviter.invite({ requestDelegate: { onReject: (response) => resolve(response.message.statusCode ?? 0) } });
    });
    expect(await status).toBe(404);
  });

  it('refuses calls that leave the company with 403 (no carrier trunk yet)', async () => {
    const caller = await phone(alice);
    const target = UserAgent.makeURI('sip:+33123456789@carrier.example');
    if (target === undefined) {
      throw new Error('bad target');
    }
    const inviter = new Inviter(caller.userAgent, target);
    const status = new Promise<number>((resolve) => {
      void inviter.invite({ requestDelegate: { onReject: (response) => resolve(response.message.statusCode ?? 0) } });
    });
    expect(await status).toBe(403);
  });

  it('drops the registration of a WebSocket client that vanishes (handle_lost_tcp)', async () => {
    const vanishing = await phone(carol);
    expect(await vanishing.register()).toBe(200);
    expect(await server.registrations()).toContain(carol.username);
    // Close the socket without unregistering, as a crashed app would.
    await vanishing.userAgent.transport.disconnect();
    await eventually('the lost registration removed', async () => !(await server.registrations()).includes(carol.username));
  });

  it('accepts an authenticated REGISTER over UDP from sipp', async () => {
    const sippPort = await freeUdpPort();
    const args = [
      `127.0.0.1:${udpPort}`, '-sf', registerScenario, '-key', 'domain', defaultSipDomain,
      '-s', carol.username, '-au', carol.username, '-ap', carol.password,
      '-i', '127.0.0.1', '-p', String(sippPort), '-m', '1', '-nostdin', '-timeout', '10', '-recv_timeout', '5000',
    ];
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const sipp = spawn('sipp', args, { cwd: runDir, stdio: 'ignore' });
      sipp.once('error', reject);
      sipp.once('exit', (code) => resolve(code));
    });
    expect(exitCode).toBe(0);
    expect(await server.registrations()).toContain(carol.username);
  });

  it('answers 480 when a registered user does not respond (the sipp "desk phone" is gone)', async () => {
    // The previous test left 1003 registered over UDP at sipp's port, and sipp has exited: Kamailio sends
    // the INVITE there, gets no answer within fr_timer (5 s) and turns the timeout into 480.
    expect(await server.registrations()).toContain(carol.username);
    const caller = await phone(alice);
    expect(await caller.register()).toBe(200);
    const target = UserAgent.makeURI(`sip:${carol.username}@${defaultSipDomain}`);
    if (target === undefined) {
      throw new Error('bad target');
    }
    const inviter = new Inviter(caller.userAgent, target);
    const status = new Promise<number>((resolve) => {
      void inviter.invite({ requestDelegate: { onReject: (response) => resolve(response.message.statusCode ?? 0) } });
    });
    expect(await status).toBe(480);
  }, 15_000);

  it('counts SIP scanners by User-Agent but answers them like anyone (the defences must not rest on a header)', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const localPort = socket.address().port;
    const received: string[] = [];
    const replies: ((message: string) => void)[] = [];
    socket.on('message', (data) => {
      const text = data.toString();
      received.push(text);
      replies.shift()?.(text);
    });
    const send = (message: string): Promise<void> =>
      new Promise((resolve, reject) => socket.send(message, udpPort, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
    const request = (method: string, uri: string, callId: string, userAgent: string): string =>
      [
        `${method} ${uri} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=z9hG4bK-${callId};rport`,
        `From: <sip:100@${defaultSipDomain}>;tag=${callId}`,
        `To: <sip:100@${defaultSipDomain}>`,
        `Call-ID: ${callId}`,
        `CSeq: 1 ${method}`,
        `Contact: <sip:100@127.0.0.1:${localPort}>`,
        'Max-Forwards: 70',
        `User-Agent: ${userAgent}`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    const seen = async (): Promise<number> => {
      const { stdout } = await execFileAsync('kamcmd', ['-s', `unix:${join(runDir, 'kamailio_ctl')}`, 'pv.shvGet', 'scanners_seen']);
      return Number(/value:\s*(\d+)/.exec(stdout)?.[1] ?? Number.NaN);
    };

    try {
      const before = await seen();
      // A scanner's REGISTER gets the same challenge as everybody's: nothing to learn from the answer.
      const challenge = new Promise<string>((resolve) => replies.push(resolve));
      await send(request('REGISTER', `sip:${defaultSipDomain}`, 'scan-1', 'friendly-scanner'));
      expect(await challenge).toMatch(/^SIP\/2\.0 401 /);
      expect(await seen()).toBe(before + 1);

      // A normal request on the same socket is answered (the keep-alive OPTIONS to the server itself).
      const answer = new Promise<string>((resolve) => replies.push(resolve));
      await send(request('OPTIONS', `sip:${defaultSipDomain}`, 'normal-1', 'Cabine test'));
      expect(await answer).toMatch(/^SIP\/2\.0 200 /);
      expect(await seen()).toBe(before + 1);
      expect(received).toHaveLength(2);
    } finally {
      socket.close();
    }
  });

  it('restart() comes back on the same ports and stop() leaves no process behind', async () => {
    const oldPid = server.pid;
    await server.restart();
    expect(server.pid).not.toBe(oldPid);
    expect(await processesMentioning(`-P ${join(runDir, 'kamailio.pid')}`)).not.toContain(oldPid);
    // usrloc is in memory: the restart forgot everybody, and clients register again.
    expect(await server.registrations()).toEqual([]);
    const again = await phone(alice);
    expect(await again.register()).toBe(200);
    expect(await server.registrations()).toContain(alice.username);
    await again.stop();

    const config = join(runDir, 'kamailio.cfg');
    expect((await processesMentioning(config)).length).toBeGreaterThan(1); // main + workers
    await server.stop();
    expect(await processesMentioning(config)).toEqual([]);
  });
});
