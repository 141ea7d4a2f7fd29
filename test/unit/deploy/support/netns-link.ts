/**
 * Two "offices" joined by one link, for the call quality test (issue 12 section 6): two network
 * namespaces and a veth pair straight between them, in a documentation range (RFC 5737) that the NAT
 * topology (netns.ts) does not use, so both tests can run at once:
 *
 *   office A 203.0.113.201/30 ──────── 203.0.113.202/30 office B
 *
 * Media between the two browsers crosses this link and nothing else; signalling does not (each office
 * reaches the machine's SIP proxy through a Unix socket, netns-bridged-office.ts), so degrading the link
 * degrades the call's audio only.
 *
 * The link is degraded with `tc qdisc ... netem loss N%` on both ends. Where the kernel has no netem
 * (this project's VMs: "Error: Specified qdisc kind is unknown", no sch_netem module), the same random,
 * uncorrelated loss is applied with iptables' statistic match, dropping that share of the UDP arriving on
 * each end (INPUT, so the sender sees no error, as on a lossy wire).
 *
 * Names carry netns.ts's per-run prefix (pid in hex), so removeLeftoverNamespaces() cleans up after a
 * dead run of either test; deleting the namespaces deletes the veth pair with them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inNamespace, namespacePrefix } from './netns.js';

const run = promisify(execFile);
const commandTimeoutMs = 10_000;

export const linkAddresses = { a: '203.0.113.201', b: '203.0.113.202' } as const;

export type LinkEnd = keyof typeof linkAddresses;

/** How the loss was made: netem where the kernel has it, iptables' statistic match otherwise. */
export type LossMethod = 'netem' | 'iptables-statistic';

export interface OfficeLink {
  readonly prefix: string;
  readonly ns: Readonly<Record<LinkEnd, string>>;
  /** Drops `percent` % of the packets each way on the link (random loss); replaces an earlier setting. */
  degrade(percent: number): Promise<LossMethod>;
  /** Takes the loss off again. */
  restore(): Promise<void>;
  /** Deletes both namespaces (and so the veth pair); safe to call twice. */
  remove(): Promise<void>;
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args, { timeout: commandTimeoutMs });
}

export async function createOfficeLink(): Promise<OfficeLink> {
  const tag = Math.floor(Math.random() * 36 ** 2).toString(36).padStart(2, '0');
  const prefix = `${namespacePrefix}${process.pid.toString(16)}x${tag}`;
  const ns = { a: `${prefix}-qa`, b: `${prefix}-qb` } as const;
  const dev = { a: `qa${prefix.slice(-5)}`, b: `qb${prefix.slice(-5)}` } as const;
  const created: string[] = [];
  const remove = async (): Promise<void> => {
    for (const name of created.splice(0)) await ip('netns', 'del', name).catch(() => undefined);
  };
  try {
    for (const end of ['a', 'b'] as const) {
      await ip('netns', 'add', ns[end]);
      created.push(ns[end]);
      await ip('-n', ns[end], 'link', 'set', 'lo', 'up');
    }
    await ip('link', 'add', dev.a, 'netns', ns.a, 'type', 'veth', 'peer', 'name', dev.b, 'netns', ns.b);
    for (const end of ['a', 'b'] as const) {
      await ip('-n', ns[end], 'address', 'add', `${linkAddresses[end]}/30`, 'dev', dev[end]);
      await ip('-n', ns[end], 'link', 'set', dev[end], 'up');
    }
  } catch (error) {
    await remove();
    throw error;
  }

  let method: LossMethod | null = null;
  const dropRule = (end: LinkEnd, percent: number): string[] => [
    'INPUT', '-i', dev[end], '-p', 'udp', '-m', 'statistic', '--mode', 'random', '--probability', String(percent / 100), '-j', 'DROP',
  ];
  let rulePercent = 0;

  const restore = async (): Promise<void> => {
    if (method === 'netem') {
      for (const end of ['a', 'b'] as const) await inNamespace(ns[end], 'tc', ['qdisc', 'del', 'dev', dev[end], 'root']).catch(() => undefined);
    } else if (method === 'iptables-statistic') {
      for (const end of ['a', 'b'] as const) await inNamespace(ns[end], 'iptables', ['-D', ...dropRule(end, rulePercent)]).catch(() => undefined);
    }
    method = null;
  };

  return {
    prefix,
    ns,
    async degrade(percent) {
      await restore();
      try {
        for (const end of ['a', 'b'] as const) await inNamespace(ns[end], 'tc', ['qdisc', 'add', 'dev', dev[end], 'root', 'netem', 'loss', `${percent}%`]);
        method = 'netem';
      } catch (error) {
        if (!/qdisc kind is unknown/i.test(String((error as { stderr?: string }).stderr ?? error))) throw error;
        for (const end of ['a', 'b'] as const) await inNamespace(ns[end], 'tc', ['qdisc', 'del', 'dev', dev[end], 'root']).catch(() => undefined);
        rulePercent = percent;
        for (const end of ['a', 'b'] as const) await inNamespace(ns[end], 'iptables', ['-A', ...dropRule(end, percent)]);
        method = 'iptables-statistic';
      }
      return method;
    },
    restore,
    remove,
  };
}
