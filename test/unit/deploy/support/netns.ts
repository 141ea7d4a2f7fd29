/**
 * Two offices behind NAT routers and a "public" network, built from Linux network namespaces for the NAT
 * traversal tests (field notes, "Network namespaces"). Nothing is created in the machine's own namespace:
 * every veth pair is created straight between two of the run's namespaces, so deleting the namespaces
 * removes every interface. Addresses are documentation ranges only (RFC 5737):
 *
 *   office A 192.0.2.10/25 ── 192.0.2.1 [router A] 198.51.100.2/30 ──┐
 *                                                                    198.51.100.1 [public] 198.51.100.5
 *   office B 192.0.2.130/25 ─ 192.0.2.129 [router B] 198.51.100.6/30 ─┘   servers on 203.0.113.10 (lo)
 *
 * The public namespace routes between the two routers (the "internet") and knows no route to either
 * office: an office's own address is unreachable from outside, as behind a real NAT. Each router masquerades
 * its office (iptables MASQUERADE: Linux keeps the source port when it can, so the mapping does not depend
 * on the destination and its filtering lets in only replies to what was sent: a port-restricted cone), or,
 * with `--random`, picks a new port for every destination: a symmetric NAT, through which a reflexive
 * address learnt from the STUN server is useless to a peer.
 *
 * Names carry a per-run prefix with the creating process's pid, so that parallel runs never collide and
 * {@link removeLeftoverNamespaces} deletes only those of runs whose process is gone.
 */
import { execFile, spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Every namespace name of this module starts with this; then the pid in hex, then a random tag. */
export const namespacePrefix = 'cbn';

/** The addresses of the topology (fixed: they live only inside the run's namespaces). */
export const natAddresses = {
  server: '203.0.113.10',
  officeA: '192.0.2.10',
  officeB: '192.0.2.130',
  routerA: '198.51.100.2',
  routerB: '198.51.100.6',
} as const;

export type Office = 'a' | 'b';

/**
 * Ports inside the run's namespaces (fresh, so nothing else listens there): the public servers', and the
 * web softphone's in each office (its origin, http://127.0.0.1:8080, is what the manager and Kamailio allow).
 */
export const natPorts = {
  manager: 15000, sipWs: 15080, sipUdp: 15060, turn: 3478, relayMin: 49152, relayMax: 49251, web: 8080,
  // A second proxy that anchors all media at rtpengine (relayAllMedia), for the "force through rtpengine" call.
  anchoredSipWs: 15081, anchoredSipUdp: 15061, rtpengineNg: 2223, rtpMin: 30000, rtpMax: 30099,
} as const;

/** What netns-public-stack.ts prints once its servers answer. */
export interface PublicStackInfo {
  readonly server: string;
  readonly managerPort: number;
  readonly wsPort: number;
  readonly turnUrls: readonly string[];
  readonly turnPort: number;
  /** coturn's static-auth-secret: the probe mints an expired but genuine credential with it. */
  readonly turnSecret: string;
  readonly coturnLog: string;
}

export interface NatTopology {
  /** The run's prefix, e.g. "cbn1f3a9c2". */
  readonly prefix: string;
  readonly publicNs: string;
  readonly officeNs: Readonly<Record<Office, string>>;
  readonly routerNs: Readonly<Record<Office, string>>;
  /** Makes an office's router a symmetric NAT (`--random`) or a port-restricted cone one again. */
  setSymmetric(office: Office, symmetric: boolean): Promise<void>;
  /** The router's NAT rule as iptables lists it (for the test's log). */
  natRule(office: Office): Promise<string>;
  /** Deletes every namespace of the run (and so every veth); safe to call twice. */
  remove(): Promise<void>;
}

const commandTimeoutMs = 10_000;

async function ip(...args: string[]): Promise<string> {
  const { stdout } = await run('ip', args, { timeout: commandTimeoutMs });
  return stdout;
}

/** Runs a command inside a namespace (bounded), returns its stdout. */
export async function inNamespace(ns: string, command: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('ip', ['netns', 'exec', ns, command, ...args], { timeout: commandTimeoutMs });
  return stdout;
}

/** Names of the namespaces that exist now. */
export async function listNamespaces(): Promise<string[]> {
  return (await ip('netns', 'list')).split('\n').map((line) => line.split(' ')[0] ?? '').filter((name) => name !== '');
}

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Deletes namespaces of earlier runs (this module's prefix) whose creating process no longer exists. */
export async function removeLeftoverNamespaces(): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await listNamespaces()) {
    const match = new RegExp(`^${namespacePrefix}([0-9a-f]{1,6})x`).exec(name);
    if (match === null || pidAlive(Number.parseInt(match[1] ?? '0', 16))) continue;
    await ip('netns', 'del', name).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}

/**
 * Creates the topology above. On any failure, what was created is deleted before the error surfaces.
 * Needs root (CAP_NET_ADMIN) and iptables.
 */
export async function createNatTopology(): Promise<NatTopology> {
  const tag = Math.floor(Math.random() * 36 ** 2).toString(36).padStart(2, '0');
  const prefix = `${namespacePrefix}${process.pid.toString(16)}x${tag}`;
  const publicNs = `${prefix}-pub`;
  const officeNs = { a: `${prefix}-oa`, b: `${prefix}-ob` } as const;
  const routerNs = { a: `${prefix}-ra`, b: `${prefix}-rb` } as const;
  const all = [publicNs, routerNs.a, routerNs.b, officeNs.a, officeNs.b];
  const created: string[] = [];
  const remove = async (): Promise<void> => {
    for (const name of created.splice(0)) await ip('netns', 'del', name).catch(() => undefined);
  };
  // Interface names: at most 15 characters, unique per namespace (the prefix keeps them apart in logs).
  const short = prefix.slice(-5);
  const masquerade = (office: Office, symmetric: boolean): string[] =>
    ['-t', 'nat', '-A', 'POSTROUTING', '-o', `w${office}${short}`, '-j', 'MASQUERADE', ...(symmetric ? ['--random'] : [])];

  try {
    for (const name of all) {
      await ip('netns', 'add', name);
      created.push(name);
      await ip('-n', name, 'link', 'set', 'lo', 'up');
    }
    await ip('-n', publicNs, 'address', 'add', `${natAddresses.server}/32`, 'dev', 'lo');
    const links: readonly [Office, string, string][] = [
      ['a', '198.51.100.1/30', '198.51.100.2/30'],
      ['b', '198.51.100.5/30', '198.51.100.6/30'],
    ];
    for (const [office, publicSide, wanSide] of links) {
      const pub = `p${office}${short}`;
      const wan = `w${office}${short}`;
      await ip('link', 'add', pub, 'netns', publicNs, 'type', 'veth', 'peer', 'name', wan, 'netns', routerNs[office]);
      await ip('-n', publicNs, 'address', 'add', publicSide, 'dev', pub);
      await ip('-n', publicNs, 'link', 'set', pub, 'up');
      await ip('-n', routerNs[office], 'address', 'add', wanSide, 'dev', wan);
      await ip('-n', routerNs[office], 'link', 'set', wan, 'up');
      await ip('-n', routerNs[office], 'route', 'add', 'default', 'via', publicSide.split('/')[0] ?? '');

      const lan = `l${office}${short}`;
      const desk = `e${office}${short}`;
      const [routerLan, deskAddress] = office === 'a' ? ['192.0.2.1/25', `${natAddresses.officeA}/25`] : ['192.0.2.129/25', `${natAddresses.officeB}/25`];
      await ip('link', 'add', lan, 'netns', routerNs[office], 'type', 'veth', 'peer', 'name', desk, 'netns', officeNs[office]);
      await ip('-n', routerNs[office], 'address', 'add', routerLan, 'dev', lan);
      await ip('-n', routerNs[office], 'link', 'set', lan, 'up');
      await ip('-n', officeNs[office], 'address', 'add', deskAddress, 'dev', desk);
      await ip('-n', officeNs[office], 'link', 'set', desk, 'up');
      await ip('-n', officeNs[office], 'route', 'add', 'default', 'via', routerLan.split('/')[0] ?? '');

      await inNamespace(routerNs[office], 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
      await inNamespace(routerNs[office], 'iptables', masquerade(office, false));
      // A home router's firewall: nothing unsolicited from the internet. Dropped before conntrack confirms
      // it, an unsolicited packet also leaves no entry behind; otherwise a peer's early check to the
      // router's reflexive port would claim that port and make the office's own answer leave from another
      // one (MASQUERADE avoids the clash by remapping), which breaks hole punching.
      for (const chain of ['INPUT', 'FORWARD']) {
        await inNamespace(routerNs[office], 'iptables', ['-A', chain, '-i', wan, '-m', 'conntrack', '--ctstate', 'NEW,INVALID', '-j', 'DROP']);
      }
    }
    await inNamespace(publicNs, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    // Everything else (the offices' private addresses, which ICE tries too) goes into a dummy interface that
    // swallows it, as the internet drops unroutable destinations. Without a default route, coturn's relay
    // socket gets "Network is unreachable" sending to such a peer and coturn drops the whole allocation.
    // (A veth pair inside the namespace: no dummy driver in containers. Frames go to a made-up next hop's
    // address and the other end, which has none, discards them.)
    const sink = `s${short}`;
    await ip('-n', publicNs, 'link', 'add', sink, 'type', 'veth', 'peer', 'name', `t${short}`);
    await ip('-n', publicNs, 'address', 'add', '198.51.100.253/30', 'dev', sink);
    await ip('-n', publicNs, 'link', 'set', sink, 'up');
    await ip('-n', publicNs, 'link', 'set', `t${short}`, 'up');
    await ip('-n', publicNs, 'neigh', 'add', '198.51.100.254', 'lladdr', '02:00:00:00:00:01', 'dev', sink, 'nud', 'permanent');
    await ip('-n', publicNs, 'route', 'add', 'default', 'via', '198.51.100.254', 'dev', sink);
  } catch (error) {
    await remove();
    throw error;
  }

  return {
    prefix,
    publicNs,
    officeNs,
    routerNs,
    async setSymmetric(office, symmetric) {
      await inNamespace(routerNs[office], 'iptables', ['-t', 'nat', '-F', 'POSTROUTING']);
      await inNamespace(routerNs[office], 'iptables', masquerade(office, symmetric));
      // Existing flows keep their conntrack mapping; only new ones get the new rule's. Every call opens new
      // sockets (new flows), which is what the tests rely on.
    },
    natRule: async (office) => (await inNamespace(routerNs[office], 'iptables', ['-t', 'nat', '-S', 'POSTROUTING'])).trim(),
    remove,
  };
}

/** A Node script running inside a namespace (see {@link startScriptInNamespace}). */
export interface NamespaceScript {
  /** The first line the script printed (its "ready" report). */
  readonly firstLine: string;
  /** Closes its stdin (its cue to stop), waits for it to exit, SIGKILLs it after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Runs `node --import tsx <script> ...args` inside `ns` (under `setpriv --pdeathsig`, so it dies with this
 * process) and resolves with its first stdout line; stderr goes to `logFile`. Fails when the script exits
 * or stays silent for `timeoutMs`.
 */
export async function startScriptInNamespace(ns: string, script: string, args: readonly string[], logFile: string, timeoutMs: number): Promise<NamespaceScript> {
  const log = await open(logFile, 'a');
  const child = spawn('ip', ['netns', 'exec', ns, 'setpriv', '--pdeathsig', 'SIGKILL', '--', process.execPath, '--import', 'tsx', script, ...args], {
    stdio: ['pipe', 'pipe', log.fd],
  });
  await log.close();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (stopTimeoutMs = 15_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    const firstLine = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => reject(new Error(`${script} in ${ns} printed nothing within ${timeoutMs} ms (log: ${logFile})`)), timeoutMs);
      child.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const newline = buffered.indexOf('\n');
        if (newline >= 0) {
          clearTimeout(timer);
          resolve(buffered.slice(0, newline));
        }
      });
      // 'close' comes after the last stdout data (a script may print and exit at once), 'exit' may not.
      child.once('close', () => {
        clearTimeout(timer);
        reject(new Error(`${script} in ${ns} exited (code ${String(child.exitCode)}) before it was ready (log: ${logFile})`));
      });
    });
    return { firstLine, stop };
  } catch (error) {
    await stop(2_000);
    throw error;
  }
}
