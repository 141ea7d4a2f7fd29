/**
 * An attacker in an office of the NAT tests (`ip netns exec <office> node --import tsx netns-turn-probe.ts
 * <server> <turn port> <turn secret>`): from behind the office's NAT router, tries coturn on the public
 * server the way a freeloader would (no credentials, a forged one, an expired one), then, with the genuine
 * credentials the manager gives the signed-in employee (through the office's loopback forwarder), tries to
 * relay to loopback and private addresses of the server's side. Prints one JSON line: each attempt's
 * outcome (the STUN answer code, 0 for success).
 */
import { createHmac } from 'node:crypto';
import { signInResponseSchema, sipConfigResponseSchema } from '../../../../shared/api/auth-schemas.js';
import { natPorts } from './netns.js';
import { turnClient, type LongTermCredentials } from './netns-turn.js';

/** What the probe prints: the STUN error code of each attempt (0: success). */
export interface TurnProbeResult {
  readonly noCredentials: number;
  readonly forged: number;
  readonly expired: number;
  readonly genuine: number;
  readonly permissions: Readonly<Record<string, number>>;
}

const deniedPeers = ['127.0.0.1', '127.0.0.53', '10.1.2.3', '172.16.0.1', '192.168.0.1', '169.254.169.254', '100.64.0.1'];
/** A public address (the other office's router): allowed, the control. */
const publicPeer = '198.51.100.6';

async function main(): Promise<void> {
  const [server, portText, secret] = process.argv.slice(2);
  if (server === undefined || portText === undefined || secret === undefined) throw new Error('usage: netns-turn-probe.ts <server> <port> <secret>');
  const port = Number(portText);
  const manager = `http://127.0.0.1:${natPorts.manager}/api/v1`;
  const signIn = await fetch(`${manager}/auth/sign-in`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'chloe@cabine.test', password: 'cabine-1003' }),
    signal: AbortSignal.timeout(5_000),
  });
  const { token } = signInResponseSchema.parse(await signIn.json());
  const sipConfig = await fetch(`${manager}/sip-config`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) });
  const turn = sipConfigResponseSchema.parse(await sipConfig.json()).iceServers.find((entry) => entry.username !== undefined);
  const genuine: LongTermCredentials = { username: turn?.username ?? '', password: turn?.credential ?? '' };

  const once = async (credentials?: LongTermCredentials): Promise<number> => {
    const client = await turnClient(server, port);
    try {
      const answer = await client.allocate(credentials);
      return answer.success ? 0 : answer.code;
    } finally {
      client.close();
    }
  };
  const expiredName = `${Math.floor(Date.now() / 1000) - 60}:1003`;
  const result = {
    noCredentials: await once(),
    forged: await once({ username: genuine.username, password: createHmac('sha1', 'guessed-secret').update(genuine.username).digest('base64') }),
    expired: await once({ username: expiredName, password: createHmac('sha1', secret).update(expiredName).digest('base64') }),
    genuine: -1,
    permissions: {} as Record<string, number>,
  };
  const client = await turnClient(server, port);
  try {
    const answer = await client.allocate(genuine);
    result.genuine = answer.success ? 0 : answer.code;
    for (const peer of [...deniedPeers, publicPeer]) {
      const permission = await client.createPermission(peer);
      result.permissions[peer] = permission.success ? 0 : permission.code;
    }
  } finally {
    client.close();
  }
  process.stdout.write(`${JSON.stringify(result satisfies TurnProbeResult)}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
