/**
 * coturn as the stack runs it (deploy/coturn-process.ts) with the manager's TURN credentials
 * (manager/src/turn/turn-credentials.ts), attacked the way a freeloader would use an open relay: no
 * credentials, a forged credential, an expired one, one minted with the SIP secret instead of coturn's, and,
 * with good credentials, relaying to loopback and private peers of the server's own networks. Real coturn,
 * real manager (SQLite, HTTP), a raw TURN client over UDP on loopback.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoturn, type RunningCoturn } from '../../../deploy/coturn-process.js';
import { freePortPair } from '../../../deploy/child-process.js';
import { startLocalStack } from '../../../deploy/local-stack.js';
import { startManager, type RunningManager } from '../../../deploy/manager-process.js';
import { managerApi } from './manager-api.js';
import { relayedAddress, turnClient, type LongTermCredentials, type TurnAnswer } from './support/netns-turn.js';

const turnSecret = randomBytes(30).toString('base64url');
let runDir = '';
let coturn: RunningCoturn | undefined;
let manager: RunningManager | undefined;
let credentials: LongTermCredentials = { username: '', password: '' };

const mint = (secret: string, username: string): LongTermCredentials => ({ username, password: createHmac('sha1', secret).update(username).digest('base64') });

/** One Allocate from a fresh socket (coturn keeps one allocation per 5-tuple). */
async function allocate(with_?: LongTermCredentials): Promise<TurnAnswer> {
  const client = await turnClient('127.0.0.1', coturn?.port ?? 0);
  try {
    return await client.allocate(with_);
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  runDir = await mkdtemp(join(tmpdir(), 'cabine-nat-coturn-'));
  const relayMin = 20_000 + 2 * Math.floor(Math.random() * 5_000);
  coturn = await startCoturn({ runDir: join(runDir, 'coturn'), port: await freePortPair(), relayPortMin: relayMin, relayPortMax: relayMin + 49, sharedSecret: turnSecret });
  manager = await startManager({
    runDir: join(runDir, 'manager'),
    port: await freePortPair(),
    sipDomain: 'cabine.test',
    sipWsUrl: 'ws://127.0.0.1:9',
    env: { CABINE_SCRYPT_LOG_N: '10', CABINE_TURN_URLS: coturn.urls.join(','), CABINE_TURN_SHARED_SECRET: turnSecret },
  });
  const api = managerApi(manager.url);
  const config = await api.sipConfig(await api.signIn('bruno@cabine.test', 'cabine-1002'));
  const turn = config.iceServers.find((server) => server.urls.some((url) => url.startsWith('turn:')));
  credentials = { username: turn?.username ?? '', password: turn?.credential ?? '' };
}, 60_000);

afterAll(async () => {
  await manager?.stop();
  await coturn?.stop();
  if (runDir !== '') await rm(runDir, { recursive: true, force: true });
});

describe('coturn with the manager\'s TURN credentials', () => {
  it('the sip-config carries a STUN server and TURN credentials "<expiry>:<extension>" that coturn accepts', async () => {
    expect(credentials.username).toMatch(/^\d{10}:1002$/);
    const expiry = Number(credentials.username.split(':')[0]);
    // Default lifetime: the SIP credential's (12 h) plus the longest call (4 h).
    expect(expiry - Date.now() / 1000).toBeGreaterThan(16 * 3600 - 60);
    const answer = await allocate(credentials);
    expect(answer.success, answer.reason).toBe(true);
    expect(relayedAddress(answer)?.address).toBe('127.0.0.1');
  });

  it('refuses an Allocate without credentials (401), with a forged, an expired or a SIP-secret credential (401)', async () => {
    const bare = await allocate();
    expect([bare.success, bare.code]).toEqual([false, 401]);
    const forged = await allocate({ username: credentials.username, password: `${credentials.password.slice(0, -2)}A=` });
    expect([forged.success, forged.code]).toEqual([false, 401]);
    const otherUser = await allocate({ username: credentials.username.replace(':1002', ':1001'), password: credentials.password });
    expect([otherUser.success, otherUser.code]).toEqual([false, 401]);
    const expired = await allocate(mint(turnSecret, `${Math.floor(Date.now() / 1000) - 5}:1002`));
    expect([expired.success, expired.code]).toEqual([false, 401]);
    const wrongSecret = await allocate(mint(randomBytes(30).toString('base64url'), credentials.username));
    expect([wrongSecret.success, wrongSecret.code]).toEqual([false, 401]);
    // The control: a credential minted now with coturn's secret works, so the refusals above are about them.
    const fresh = await allocate(mint(turnSecret, `${Math.floor(Date.now() / 1000) + 60}:1002`));
    expect(fresh.success, fresh.reason).toBe(true);
  });

  it('refuses a TCP relay (RFC 6062) over TCP even with good credentials (442); a UDP relay over TCP is fine', async () => {
    const client = await turnClient('127.0.0.1', coturn?.port ?? 0, 2_000, 'tcp');
    try {
      const answer = await client.allocate(credentials, 'tcp');
      expect([answer.success, answer.code]).toEqual([false, 442]);
    } finally {
      client.close();
    }
    const control = await turnClient('127.0.0.1', coturn?.port ?? 0, 2_000, 'tcp');
    try {
      const answer = await control.allocate(credentials, 'udp');
      expect(answer.success, answer.reason).toBe(true);
    } finally {
      control.close();
    }
  });

  it('never relays to loopback or private peers (403), but does to a public one', async () => {
    const client = await turnClient('127.0.0.1', coturn?.port ?? 0);
    try {
      expect((await client.allocate(credentials)).success).toBe(true);
      for (const peer of ['127.0.0.1', '127.0.0.53', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0']) {
        const answer = await client.createPermission(peer);
        expect([peer, answer.success, answer.code]).toEqual([peer, false, 403]);
      }
      const allowed = await client.createPermission('203.0.113.7');
      expect(allowed.success, allowed.reason).toBe(true);
    } finally {
      client.close();
    }
  });
});

describe('the local stack with turn: true', () => {
  it('starts coturn and the manager hands out its servers with credentials coturn accepts', async () => {
    const stack = await startLocalStack({ runDir: join(runDir, 'local'), turn: true, carrier: false, rtpengine: false });
    try {
      if (stack.manager === undefined || stack.coturn === undefined) throw new Error('no manager or coturn');
      const api = managerApi(stack.manager.url);
      const config = await api.sipConfig(await api.signIn('alice@cabine.test', 'cabine-1001'));
      expect(config.iceServers.flatMap((server) => server.urls)).toEqual([...stack.coturn.urls]);
      const turn = config.iceServers.find((server) => server.username !== undefined);
      const client = await turnClient('127.0.0.1', stack.coturn.port);
      try {
        const answer = await client.allocate({ username: turn?.username ?? '', password: turn?.credential ?? '' });
        expect(answer.success, answer.reason).toBe(true);
        expect(turn?.username).toMatch(/^\d+:1001$/);
      } finally {
        client.close();
      }
    } finally {
      await stack.stop();
    }
  }, 60_000);
});
