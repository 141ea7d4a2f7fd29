/**
 * The carrier stand-in: what answers calls that leave the company through the trunk, in the local stack and
 * the tests. It is a real SIP endpoint on a loopback UDP port that answers any number with plain RTP:
 *   - engine "baresip" (default): baresip auto-answers and plays a generated tone; its received audio is
 *     dumped to WAV, so a test can prove audio went both ways (deploy/baresip-process.ts);
 *   - engine "sipp": sipp's UAS scenario deploy/sipp/carrier-uas.xml, echoing RTP, for load (one sipp answers
 *     hundreds of calls per second where baresip answers a few).
 * Kamailio reaches it as the trunk address (`trunk.address` in deploy/kamailio-config.ts): a real carrier
 * replaces it by changing that address and the prefix rules, nothing else.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { startBaresip, type RunningBaresip } from './baresip-process.js';
import {
  assertUdpPortFree, failStart, notReadyReason, parseOptions, requireExecutable, spawnOwned,
  stopOwned, waitForReady,
} from './child-process.js';

/**
 * The number the carrier stand-in calls from when a test has it place a call from the phone network to a
 * company number (`baresip.dial('sip:<DID>@<proxy>')`): a French mobile number from ARCEP's range for drama.
 */
export const carrierCallerNumber = '+33639980000';

/** The sipp scenario of the "sipp" engine. */
export const carrierUasScenario = fileURLToPath(new URL('./sipp/carrier-uas.xml', import.meta.url));

/** Options of {@link startCarrier}. */
export interface CarrierOptions {
  /** Absolute directory for config, log and audio dumps; created if missing. */
  readonly runDir: string;
  /** UDP port it answers on (127.0.0.1). With baresip, sipPort + 1 (TLS) must be free too. */
  readonly sipPort: number;
  /** Media ports; baresip uses [min, max], sipp only `rtpPortMin` (one echo port for every call). */
  readonly rtpPortMin: number;
  readonly rtpPortMax: number;
  /** Default "baresip". */
  readonly engine?: 'baresip' | 'sipp';
  /** baresip's ctrl_tcp port (required for the baresip engine). */
  readonly ctrlPort?: number;
  /** Stop answering after this many calls (sipp only; default unlimited). */
  readonly maxCalls?: number;
  readonly logFile?: string;
}

/** A running carrier stand-in. */
export interface RunningCarrier {
  readonly engine: 'baresip' | 'sipp';
  /** `127.0.0.1:<sipPort>`: the trunk address for Kamailio. */
  readonly address: string;
  readonly sipPort: number;
  readonly logFile: string;
  /** The baresip instance (engine "baresip"): events, received audio. */
  readonly baresip?: RunningBaresip;
  stop(): Promise<void>;
}

const port = z.number().int().min(1).max(65535);
const optionsSchema = z
  .object({
    runDir: z.string().refine(isAbsolute, 'must be an absolute path'),
    sipPort: port,
    rtpPortMin: port,
    rtpPortMax: port,
    engine: z.enum(['baresip', 'sipp']).default('baresip'),
    ctrlPort: port.optional(),
    maxCalls: z.number().int().positive().optional(),
    logFile: z.string().refine(isAbsolute, 'must be an absolute path').optional(),
  })
  .refine((o) => o.engine !== 'baresip' || o.ctrlPort !== undefined, { message: 'the baresip engine needs a ctrlPort', path: ['ctrlPort'] })
  .refine((o) => o.rtpPortMax >= o.rtpPortMin, { message: 'rtpPortMax must be >= rtpPortMin', path: ['rtpPortMax'] });

const startTimeoutMs = 10_000;

/** True once something has bound the UDP port (sipp binds it before it reads its first message). */
async function udpBound(sipPort: number): Promise<boolean> {
  try {
    await assertUdpPortFree('127.0.0.1', sipPort, 'probe');
    return false;
  } catch {
    return true;
  }
}

async function startSippCarrier(valid: z.infer<typeof optionsSchema>, logFile: string): Promise<RunningCarrier> {
  const sipp = await requireExecutable('sipp', 'sip-tester');
  await assertUdpPortFree('127.0.0.1', valid.sipPort, 'carrier SIP');
  await assertUdpPortFree('127.0.0.1', valid.rtpPortMin, 'carrier RTP echo');
  const args = [
    '-sf', carrierUasScenario,
    '-i', '127.0.0.1',
    '-p', String(valid.sipPort),
    '-mi', '127.0.0.1',
    '-mp', String(valid.rtpPortMin),
    '-rtp_echo',
    '-nostdin',
    ...(valid.maxCalls === undefined ? [] : ['-m', String(valid.maxCalls)]),
    // Don't give up on a call whose BYE comes late (a capped call lasts as long as the cap).
    '-default_behaviors', 'all,-abortunexp',
  ];
  // In the foreground (not -bg, which forks and lets the parent exit): pdeathsig and stop() keep holding it.
  const child: ChildProcess = await spawnOwned({ command: sipp, args, cwd: valid.runDir, logFile });
  const outcome = await waitForReady(child, () => udpBound(valid.sipPort), startTimeoutMs);
  if (outcome !== 'ready') {
    return failStart(child, 'sipp carrier', notReadyReason(child, outcome, `did not bind ${valid.sipPort}/udp within ${startTimeoutMs} ms`), logFile);
  }
  return {
    engine: 'sipp',
    address: `127.0.0.1:${valid.sipPort}`,
    sipPort: valid.sipPort,
    logFile,
    stop: () => stopOwned(child, 3_000),
  };
}

/**
 * Starts the carrier stand-in and resolves once it can answer calls.
 *
 * @throws StackStartError for invalid options, ports in use, a missing binary, or a process that exits or
 *   does not get ready during start-up.
 */
export async function startCarrier(options: CarrierOptions): Promise<RunningCarrier> {
  const valid = parseOptions(optionsSchema, options, 'carrier');
  await mkdir(valid.runDir, { recursive: true });
  const logFile = valid.logFile ?? join(valid.runDir, `carrier-${valid.engine}.log`);
  if (valid.engine === 'sipp') {
    return startSippCarrier(valid, logFile);
  }
  const baresip = await startBaresip({
    runDir: valid.runDir,
    sipPort: valid.sipPort,
    ctrlPort: valid.ctrlPort ?? 0,
    rtpPortMin: valid.rtpPortMin,
    rtpPortMax: valid.rtpPortMax,
    account: { role: 'carrier', callerNumber: carrierCallerNumber },
    logFile,
  });
  return {
    engine: 'baresip',
    address: `127.0.0.1:${valid.sipPort}`,
    sipPort: valid.sipPort,
    logFile,
    baresip,
    stop: () => baresip.stop(),
  };
}
