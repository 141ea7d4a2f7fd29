/**
 * Starts and stops rtpengine (Debian `rtpengine-daemon`) in userspace on loopback: the media relay that
 * bridges WebRTC (ICE + DTLS-SRTP, RTP/SAVPF) and plain RTP (RTP/AVP: desk phones, the carrier). Kamailio
 * drives it over the "ng" control protocol (bencoded dictionaries over UDP); readiness is an ng `ping`
 * answered `pong`, and {@link RunningRtpengine.query} reads a call's packet counters the same way, which is
 * how tests prove that media really flowed through it.
 *
 * `--table=-1`: no kernel forwarding module (not loaded here), every packet is relayed in userspace.
 * Reference: https://github.com/sipwise/rtpengine (docs "ng control protocol", "Usage").
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdir } from 'node:fs/promises';
import { isIP, isIPv6 } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import {
  assertUdpPortFree, failStart, notReadyReason, parseOptions, requireExecutable, spawnOwned,
  stopOwned, waitForReady,
} from './child-process.js';

/** Options of {@link startRtpengine}. */
export interface RtpengineOptions {
  /** Absolute directory for the pid file and the log; created if missing. */
  readonly runDir: string;
  /** UDP port of the ng control protocol. */
  readonly ngPort: number;
  /** Media ports [min, max], inclusive; an even-sized range of at least 4 ports per concurrent call. */
  readonly portMin: number;
  readonly portMax: number;
  /** Address for media and control; default 127.0.0.1. */
  readonly host?: string;
  /** Default `<runDir>/rtpengine.log`. */
  readonly logFile?: string;
}

/** A bencoded value as the ng protocol uses them. */
export type Bencoded = string | number | readonly Bencoded[] | { readonly [key: string]: Bencoded };

/** A running rtpengine. */
export interface RunningRtpengine {
  /** What Kamailio's rtpengine module needs: `udp:127.0.0.1:<ngPort>`. */
  readonly ngSocket: string;
  readonly ngPort: number;
  readonly pid: number;
  readonly logFile: string;
  /** Sends one ng command and returns the decoded answer. */
  command(dictionary: Readonly<Record<string, Bencoded>>): Promise<Record<string, Bencoded>>;
  /** Calls rtpengine currently knows (ng `list`). */
  callIds(): Promise<string[]>;
  /** Total packets relayed so far for a call, per tag (ng `query` totals). */
  query(callId: string): Promise<Record<string, Bencoded>>;
  stop(): Promise<void>;
}

const port = z.number().int().min(1).max(65535);
const optionsSchema = z
  .object({
    runDir: z.string().refine(isAbsolute, 'must be an absolute path'),
    ngPort: port,
    portMin: port,
    portMax: port,
    host: z.string().refine((host) => isIP(host) !== 0, 'must be an IP address').default('127.0.0.1'),
    logFile: z.string().refine(isAbsolute, 'must be an absolute path').optional(),
  })
  .refine((o) => o.portMax - o.portMin >= 3, { message: 'the media port range needs at least 4 ports', path: ['portMax'] })
  .refine((o) => o.ngPort < o.portMin || o.ngPort > o.portMax, { message: 'ngPort must be outside the media port range', path: ['ngPort'] });

const startTimeoutMs = 10_000;

// ----- bencode (BEP 3), just what the ng protocol uses: strings, integers, lists, dictionaries -----

/** Bencodes a value; dictionary keys are sorted as BEP 3 requires. */
export function bencode(value: Bencoded): string {
  if (typeof value === 'string') {
    return `${Buffer.byteLength(value)}:${value}`;
  }
  if (typeof value === 'number') {
    return `i${Math.trunc(value)}e`;
  }
  if (Array.isArray(value)) {
    return `l${(value as readonly Bencoded[]).map(bencode).join('')}e`;
  }
  const dictionary = value as Readonly<Record<string, Bencoded>>;
  const keys = Object.keys(dictionary).sort();
  return `d${keys.map((key) => `${bencode(key)}${bencode(dictionary[key] as Bencoded)}`).join('')}e`;
}

/** Decodes one bencoded value from a buffer; throws on malformed input. */
export function bdecode(input: Buffer): Bencoded {
  let offset = 0;
  const fail = (): never => {
    throw new Error(`malformed bencode at byte ${offset}`);
  };
  const parse = (): Bencoded => {
    const head = input[offset];
    if (head === undefined) {
      return fail();
    }
    if (head === 0x69 /* i */) {
      const end = input.indexOf(0x65 /* e */, offset);
      if (end < 0) {
        return fail();
      }
      const text = input.toString('latin1', offset + 1, end);
      if (!/^-?\d+$/.test(text)) {
        return fail();
      }
      offset = end + 1;
      return Number(text);
    }
    if (head === 0x6c /* l */) {
      offset += 1;
      const list: Bencoded[] = [];
      while (input[offset] !== 0x65) {
        list.push(parse());
      }
      offset += 1;
      return list;
    }
    if (head === 0x64 /* d */) {
      offset += 1;
      const dictionary: Record<string, Bencoded> = {};
      while (input[offset] !== 0x65) {
        const key = parse();
        if (typeof key !== 'string') {
          return fail();
        }
        dictionary[key] = parse();
      }
      offset += 1;
      return dictionary;
    }
    const colon = input.indexOf(0x3a /* : */, offset);
    const lengthText = colon < 0 ? '' : input.toString('latin1', offset, colon);
    if (!/^\d+$/.test(lengthText)) {
      return fail();
    }
    const start = colon + 1;
    const end = start + Number(lengthText);
    if (end > input.length) {
      return fail();
    }
    offset = end;
    return input.toString('utf8', start, end);
  };
  const value = parse();
  if (offset !== input.length) {
    fail();
  }
  return value;
}

/** One ng request/answer over UDP: "<cookie> <bencoded dict>" both ways (ng protocol framing). */
export function ngCommand(
  host: string,
  ngPort: number,
  dictionary: Readonly<Record<string, Bencoded>>,
  timeoutMs = 2_000,
): Promise<Record<string, Bencoded>> {
  return new Promise((resolve, reject) => {
    const cookie = randomBytes(8).toString('hex');
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`rtpengine did not answer "${String(dictionary['command'])}" within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.on('message', (message) => {
      const space = message.indexOf(0x20);
      if (space < 0 || message.toString('latin1', 0, space) !== cookie) {
        return; // Not our answer.
      }
      clearTimeout(timer);
      socket.close();
      try {
        const decoded = bdecode(message.subarray(space + 1));
        if (typeof decoded !== 'object' || Array.isArray(decoded)) {
          throw new Error('the answer is not a dictionary');
        }
        resolve(decoded as Record<string, Bencoded>);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.send(`${cookie} ${bencode(dictionary)}`, ngPort, host);
  });
}

/**
 * Starts rtpengine in the foreground (userspace forwarding) and resolves once it answers an ng ping.
 *
 * @throws StackStartError for invalid options, a port in use, a missing binary, or a daemon that exits or
 *   does not answer during start-up.
 */
export async function startRtpengine(options: RtpengineOptions): Promise<RunningRtpengine> {
  const valid = parseOptions(optionsSchema, options, 'rtpengine');
  const binary = await requireExecutable('rtpengine', 'rtpengine-daemon');
  await mkdir(valid.runDir, { recursive: true });
  await assertUdpPortFree(valid.host, valid.ngPort, 'rtpengine ng control');
  const logFile = valid.logFile ?? join(valid.runDir, 'rtpengine.log');

  const child: ChildProcess = await spawnOwned({
    command: binary,
    args: [
      '--config-file=none', // ignore /etc/rtpengine/rtpengine.conf: everything is on this command line
      '--table=-1', // userspace only: no kernel module
      `--interface=${valid.host}`,
      `--listen-ng=${valid.host}:${valid.ngPort}`,
      `--port-min=${valid.portMin}`,
      `--port-max=${valid.portMax}`,
      `--pidfile=${join(valid.runDir, 'rtpengine.pid')}`,
      '--foreground',
      '--log-stderr',
      '--log-level=6',
      // Forget a call 60 s after its last packet, and half-set-up calls after 30 s: a crashed test leaves
      // nothing behind for long.
      '--timeout=60',
      '--offer-timeout=30',
      '--delete-delay=0',
    ],
    cwd: valid.runDir,
    logFile,
  });

  const ping = async (): Promise<boolean> => {
    try {
      const answer = await ngCommand(valid.host, valid.ngPort, { command: 'ping' }, 200);
      return answer['result'] === 'pong';
    } catch {
      return false;
    }
  };
  const outcome = await waitForReady(child, ping, startTimeoutMs);
  if (outcome !== 'ready') {
    const why = notReadyReason(child, outcome, `did not answer an ng ping on ${valid.host}:${valid.ngPort}/udp within ${startTimeoutMs} ms`);
    return failStart(child, 'rtpengine', why, logFile);
  }

  const command = (dictionary: Readonly<Record<string, Bencoded>>): Promise<Record<string, Bencoded>> =>
    ngCommand(valid.host, valid.ngPort, dictionary);
  return {
    ngSocket: `udp:${valid.host}:${valid.ngPort}`,
    ngPort: valid.ngPort,
    get pid(): number {
      return child.pid ?? -1;
    },
    logFile,
    command,
    async callIds(): Promise<string[]> {
      const answer = await command({ command: 'list' });
      const calls = answer['calls'];
      return Array.isArray(calls) ? calls.filter((id): id is string => typeof id === 'string') : [];
    },
    query: (callId: string) => command({ command: 'query', 'call-id': callId }),
    stop: () => stopOwned(child),
  };
}
