/**
 * The bed of the toll-fraud tests: the real local stack (Kamailio, the manager with its demo company) whose
 * trunk is a recording SIP endpoint that accepts everything, a second recording endpoint standing for "any
 * other host", the admin's API token, and raw SIP sockets from any 127.0.0.x address. stop() removes all of
 * it (CABINE_KEEP_RUN_DIR=1 keeps the run dir's logs).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../../../deploy/local-stack.js';
import { demoUsers } from '../../../../shared/config/defaults.js';
import { managerApi, type ManagerApi } from '../manager-api.js';
import { openRawSip, type RawSipSocket } from './raw-sip.js';
import { startSipSink, type SipSink } from './sip-sink.js';

export interface FraudStack {
  readonly stack: LocalStack;
  readonly trunk: SipSink;
  readonly elsewhere: SipSink;
  readonly api: ManagerApi;
  readonly adminToken: string;
  /** A raw SIP socket from 127.0.0.<lastOctet> to the proxy (UDP, or TCP to the WebSocket port). */
  attacker(lastOctet: number, transport?: 'UDP' | 'TCP'): Promise<RawSipSocket>;
  /** What the trunk and the other host receive from now on (first lines), to assert it stays empty. */
  watch(): { atTrunk(): string[]; elsewhere(): string[] };
  /** The demo wallet's balance and reserved amount. */
  wallet(): Promise<{ balanceMinor: number; reservedMinor: number }>;
  stop(): Promise<void>;
}

export async function startFraudStack(options: {
  readonly name: string;
  /** Loopback address of the "other host" endpoint (distinct per file: files run side by side). */
  readonly elsewhereHost: string;
  readonly managerEnv?: LocalStackOptions['managerEnv'];
  /** Static SIP accounts (default: the demo users), e.g. another company's in its own domain. */
  readonly users?: LocalStackOptions['users'];
}): Promise<FraudStack> {
  const admin = demoUsers[0];
  if (admin === undefined) {
    throw new Error('the tests need the demo admin');
  }
  const runDir = await mkdtemp(join(tmpdir(), `cabine-${options.name}-`));
  const trunk = await startSipSink('127.0.0.1');
  const elsewhere = await startSipSink(options.elsewhereHost);
  const sockets: RawSipSocket[] = [];
  const stack = await startLocalStack({
    runDir, carrier: false, rtpengine: false, trunkAddress: trunk.address, ...(options.managerEnv === undefined ? {} : { managerEnv: options.managerEnv }),
    ...(options.users === undefined ? {} : { users: options.users }),
  });
  const manager = stack.manager;
  if (manager === undefined) {
    await stack.stop();
    throw new Error('the manager did not start');
  }
  const api = managerApi(manager.url);
  const adminToken = await api.signIn('alice@cabine.test', admin.password);

  return {
    stack, trunk, elsewhere, api, adminToken,
    async attacker(lastOctet, transport = 'UDP') {
      const socket = await openRawSip({
        bindHost: `127.0.0.${lastOctet}`, proxyHost: '127.0.0.1', transport,
        proxyPort: transport === 'UDP' ? stack.kamailio.udpPort : Number(new URL(stack.kamailio.wsUrl).port),
      });
      sockets.push(socket);
      return socket;
    },
    watch() {
      const trunkMark = trunk.requests.length;
      const elsewhereMark = elsewhere.requests.length;
      return {
        atTrunk: () => trunk.requests.slice(trunkMark).map((request) => request.firstLine),
        elsewhere: () => elsewhere.requests.slice(elsewhereMark).map((request) => request.firstLine),
      };
    },
    async wallet() {
      const view = await api.wallet(adminToken);
      return { balanceMinor: view.balanceMinor, reservedMinor: view.reservedMinor };
    },
    async stop() {
      await Promise.allSettled(sockets.map((socket) => socket.close()));
      await stack.stop();
      await trunk.close();
      await elsewhere.close();
      if (process.env['CABINE_KEEP_RUN_DIR'] !== '1') {
        await rm(runDir, { recursive: true, force: true });
      }
    },
  };
}
