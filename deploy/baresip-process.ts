/**
 * A real plain-SIP endpoint for the local stack and the tests: baresip (Debian `baresip`, 1.0) with its own
 * config dir, SIP over UDP on loopback, plain RTP (RTP/AVP, G.711), a generated WAV tone as microphone
 * (`aufile`), received audio dumped to WAV files (`sndfile`) so tests can prove audio arrived, no sound card
 * (`aubridge` as a null player). Two roles:
 *   - `desk-phone`: registers as a company extension at Kamailio (digest auth), can dial and answer;
 *   - `carrier`: does not register, answers any number automatically (see {@link BaresipAccount}).
 * It is driven and observed over baresip's `ctrl_tcp` module (netstring-framed JSON, commands and events):
 * readiness is a command answered over that socket, and calls are awaited as events, never with sleeps.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import {
  assertTcpPortFree, assertUdpPortFree, failStart, notReadyReason, parseOptions, requireExecutable,
  spawnOwned, stopOwned, waitForReady,
} from './child-process.js';

/** Who the baresip instance is. */
export type BaresipAccount =
  | {
      /** A desk phone registered as a company extension. */
      readonly role: 'desk-phone';
      readonly username: string;
      readonly password: string;
      readonly domain: string;
      /** Kamailio's UDP address, e.g. 127.0.0.1:15060. */
      readonly registrar: string;
      /** Answer incoming calls by itself (default false: call {@link RunningBaresip.answer}). */
      readonly autoAnswer?: boolean;
    }
  | {
      /**
       * The carrier stand-in: answers every INVITE whatever its Request-URI user. baresip 1.0 routes an
       * incoming request to the account whose user matches the Request-URI and answers 404 otherwise; the
       * only "catch-all" account it has is the inbound side of its b2bua module (`b2bua=inbound`), which it
       * marks catch-all when an outbound account (`b2bua=outbound`) exists too. Auto-answer on the inbound
       * account answers before the b2bua relay could start, so nothing is relayed.
       */
      readonly role: 'carrier';
      /**
       * The number the carrier calls from when it places a call (a call from the phone network to a
       * company number): the user part of its first account, so `dial` presents it in From.
       */
      readonly callerNumber?: string;
    };

/** Options of {@link startBaresip}. */
export interface BaresipOptions {
  /** Absolute config dir (config, accounts, tone, received-audio dumps, log); created if missing. */
  readonly runDir: string;
  /** SIP port (UDP and TCP; baresip also binds TLS on sipPort + 1, which must be free too). */
  readonly sipPort: number;
  /** TCP port of the ctrl_tcp control socket. */
  readonly ctrlPort: number;
  /** RTP port range [min, max]. */
  readonly rtpPortMin: number;
  readonly rtpPortMax: number;
  readonly account: BaresipAccount;
  /** Frequency of the tone it sends, Hz (default 440). */
  readonly toneHz?: number;
  /** Length of the tone file, s (it plays once per call; default 120). */
  readonly toneSeconds?: number;
  readonly logFile?: string;
}

/** A baresip event from ctrl_tcp (`{"event":true,"type":"CALL_ESTABLISHED",...}`). */
export interface BaresipEvent {
  readonly type: string;
  readonly class?: string;
  readonly accountaor?: string;
  readonly direction?: string;
  readonly peeruri?: string;
  readonly param?: string;
  readonly id?: string;
}

/** A running baresip. */
export interface RunningBaresip {
  /** `sip:<user>@127.0.0.1:<sipPort>`: where to send calls for it. */
  readonly sipUri: string;
  readonly sipPort: number;
  readonly pid: number;
  readonly logFile: string;
  /** Every event so far, oldest first. */
  readonly events: readonly BaresipEvent[];
  /** Resolves with the first event (already seen, or future) of a type matching `predicate`. */
  waitForEvent(type: string, timeoutMs?: number, predicate?: (event: BaresipEvent) => boolean): Promise<BaresipEvent>;
  /** Places a call (menu `dial`). */
  dial(uri: string): Promise<void>;
  /** Answers the ringing call (menu `accept`). */
  answer(): Promise<void>;
  /** Hangs up the current call (menu `hangup`). */
  hangup(): Promise<void>;
  /** The decoded audio it received in its most recent call: samples and peak amplitude (0-32767). */
  receivedAudio(): Promise<{ readonly samples: number; readonly peak: number }>;
  stop(): Promise<void>;
}

const port = z.number().int().min(1).max(65535);
const token = z.string().regex(/^[A-Za-z0-9._+-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ + -');
const optionsSchema = z
  .object({
    runDir: z.string().refine(isAbsolute, 'must be an absolute path'),
    sipPort: port.max(65534),
    ctrlPort: port,
    rtpPortMin: port,
    rtpPortMax: port,
    account: z.discriminatedUnion('role', [
      z.object({
        role: z.literal('desk-phone'),
        username: token,
        // The accounts file is one line of `;`-separated parameters: keep the password out of its syntax.
        password: z.string().regex(/^[^\s;<>"',]{1,128}$/, 'must not contain spaces, ; < > quotes or commas'),
        domain: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, 'must be a host name'),
        registrar: z.string().regex(/^[0-9.]+:\d{1,5}$/, 'must be ip:port'),
        autoAnswer: z.boolean().default(false),
      }),
      z.object({ role: z.literal('carrier'), callerNumber: z.string().regex(/^\+[1-9][0-9]{7,14}$/, 'must be E.164').optional() }),
    ]),
    toneHz: z.number().min(50).max(3_900).default(440),
    toneSeconds: z.number().int().min(1).max(3_600).default(120),
    logFile: z.string().refine(isAbsolute, 'must be an absolute path').optional(),
  })
  .refine((o) => o.rtpPortMax - o.rtpPortMin >= 3, { message: 'the RTP port range needs at least 4 ports', path: ['rtpPortMax'] })
  .refine((o) => o.ctrlPort !== o.sipPort && o.ctrlPort !== o.sipPort + 1, { message: 'ctrlPort must differ from sipPort and sipPort + 1', path: ['ctrlPort'] });

type ValidOptions = z.infer<typeof optionsSchema>;

const startTimeoutMs = 10_000;

/** A mono 16-bit PCM WAV of a sine tone at 8 kHz (G.711's rate, so baresip needs no resampler). */
export function toneWav(frequencyHz: number, seconds: number, sampleRate = 8_000): Buffer {
  const samples = Math.round(seconds * sampleRate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) {
    data.writeInt16LE(Math.round(8_000 * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate)), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Peak amplitude of the 16-bit samples of a WAV file written by sndfile (data after the 44-byte header). */
async function wavPeak(file: string): Promise<{ samples: number; peak: number }> {
  const bytes = await readFile(file);
  const dataStart = bytes.indexOf('data', 12, 'ascii');
  const start = dataStart < 0 ? 44 : dataStart + 8;
  let peak = 0;
  const samples = Math.floor((bytes.length - start) / 2);
  for (let i = 0; i < samples; i += 1) {
    peak = Math.max(peak, Math.abs(bytes.readInt16LE(start + i * 2)));
  }
  return { samples, peak };
}

function renderConfig(valid: ValidOptions, tonePath: string): { config: string; accounts: string } {
  const config = [
    '# Generated by deploy/baresip-process.ts; rewritten on every start.',
    'poll_method epoll',
    `sip_listen 127.0.0.1:${valid.sipPort}`,
    'sip_trans_def udp',
    // Only loopback addresses in SDP: nothing leaves the machine.
    'net_interface 127.0.0.1',
    `rtp_ports ${valid.rtpPortMin}-${valid.rtpPortMax}`,
    'rtp_timeout 0',
    `audio_source aufile,${tonePath}`,
    'audio_player aubridge,sink',
    'audio_alert aubridge,alert',
    'ausrc_srate 8000',
    'auplay_srate 8000',
    'module_path /usr/lib/baresip/modules',
    'module g711.so',
    'module aufile.so',
    'module aubridge.so',
    // Dumps the audio it sends (-enc.wav) and receives (-dec.wav) for each call.
    'module sndfile.so',
    `snd_path ${valid.runDir}`,
    'module_app account.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${valid.ctrlPort}`,
  ];
  const codecs = 'audio_codecs=PCMU,PCMA';
  let accounts: string;
  if (valid.account.role === 'carrier') {
    config.push('module_app b2bua.so');
    accounts = [
      // First, so it is the account `dial` uses: calls the carrier places come from this number.
      ...(valid.account.callerNumber === undefined ? [] : [`<sip:${valid.account.callerNumber}@127.0.0.1:${valid.sipPort}>;regint=0;${codecs}`]),
      `<sip:carrier@127.0.0.1:${valid.sipPort}>;regint=0;answermode=auto;${codecs};b2bua=inbound`,
      `<sip:carrier-out@127.0.0.1:${valid.sipPort}>;regint=0;${codecs};b2bua=outbound`,
    ].join('\n');
  } else {
    const a = valid.account;
    accounts =
      `<sip:${a.username}@${a.domain}>;auth_pass=${a.password};outbound="sip:${a.registrar}";regint=300;` +
      `answermode=${a.autoAnswer ? 'auto' : 'manual'};${codecs}`;
  }
  return { config: `${config.join('\n')}\n`, accounts: `${accounts}\n` };
}

/** netstring framing (https://cr.yp.to/proto/netstrings.txt), which ctrl_tcp uses for its JSON. */
export function netstring(payload: string): string {
  return `${Buffer.byteLength(payload)}:${payload},`;
}

/** Splits a buffer into complete netstrings; returns them and the unconsumed rest. */
export function parseNetstrings(buffer: Buffer): { messages: string[]; rest: Buffer } {
  const messages: string[] = [];
  let offset = 0;
  for (;;) {
    const colon = buffer.indexOf(0x3a, offset);
    if (colon < 0) {
      break;
    }
    const length = Number(buffer.toString('latin1', offset, colon));
    if (!Number.isInteger(length)) {
      throw new Error('malformed netstring from baresip');
    }
    const end = colon + 1 + length;
    if (end >= buffer.length) {
      break;
    }
    messages.push(buffer.toString('utf8', colon + 1, end));
    offset = end + 1; // skip the ','
  }
  return { messages, rest: buffer.subarray(offset) };
}

/** The ctrl_tcp connection: commands with tokens, answers matched by token, events on an emitter. */
class Control {
  private buffer: Buffer = Buffer.alloc(0);
  private nextToken = 1;
  private readonly pending = new Map<string, (answer: { ok: boolean; data: string }) => void>();
  readonly events: BaresipEvent[] = [];
  readonly emitter = new EventEmitter();

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
  }

  static async open(ctrlPort: number): Promise<Control | undefined> {
    const socket = connect({ host: '127.0.0.1', port: ctrlPort });
    try {
      await once(socket, 'connect');
      return new Control(socket);
    } catch {
      socket.destroy();
      return undefined;
    }
  }

  private onData(chunk: Buffer): void {
    const { messages, rest } = parseNetstrings(Buffer.concat([this.buffer, chunk]));
    this.buffer = rest;
    for (const message of messages) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(message) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (parsed['response'] === true && typeof parsed['token'] === 'string') {
        this.pending.get(parsed['token'])?.({ ok: parsed['ok'] === true, data: String(parsed['data'] ?? '') });
        this.pending.delete(parsed['token']);
      } else if (parsed['event'] === true && typeof parsed['type'] === 'string') {
        const event: BaresipEvent = {
          type: parsed['type'],
          ...(typeof parsed['class'] === 'string' ? { class: parsed['class'] } : {}),
          ...(typeof parsed['accountaor'] === 'string' ? { accountaor: parsed['accountaor'] } : {}),
          ...(typeof parsed['direction'] === 'string' ? { direction: parsed['direction'] } : {}),
          ...(typeof parsed['peeruri'] === 'string' ? { peeruri: parsed['peeruri'] } : {}),
          ...(typeof parsed['param'] === 'string' ? { param: parsed['param'] } : {}),
          ...(typeof parsed['id'] === 'string' ? { id: parsed['id'] } : {}),
        };
        this.events.push(event);
        this.emitter.emit('event', event);
      }
    }
  }

  command(command: string, params = '', timeoutMs = 2_000): Promise<{ ok: boolean; data: string }> {
    const token = String(this.nextToken++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`baresip did not answer "${command}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.socket.write(netstring(JSON.stringify({ command, params, token })));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Writes the config dir, starts baresip and resolves once it answers a command over ctrl_tcp (and, for a
 * desk phone, once its registration succeeded).
 *
 * @throws StackStartError for invalid options, ports in use, a missing binary, or a baresip that exits,
 *   hangs or fails to register during start-up.
 */
export async function startBaresip(options: BaresipOptions): Promise<RunningBaresip> {
  const valid = parseOptions(optionsSchema, options, 'baresip');
  const binary = await requireExecutable('baresip', 'baresip');
  await mkdir(valid.runDir, { recursive: true });
  await assertUdpPortFree('127.0.0.1', valid.sipPort, 'baresip SIP');
  await assertTcpPortFree('127.0.0.1', valid.sipPort, 'baresip SIP');
  await assertTcpPortFree('127.0.0.1', valid.sipPort + 1, 'baresip SIP over TLS (sipPort + 1)');
  await assertTcpPortFree('127.0.0.1', valid.ctrlPort, 'baresip ctrl_tcp');

  const tonePath = join(valid.runDir, `tone-${valid.toneHz}hz.wav`);
  await writeFile(tonePath, toneWav(valid.toneHz, valid.toneSeconds));
  const { config, accounts } = renderConfig(valid, tonePath);
  await writeFile(join(valid.runDir, 'config'), config);
  await writeFile(join(valid.runDir, 'accounts'), accounts);
  // Contacts and UUID files baresip wants to exist in its config dir.
  await writeFile(join(valid.runDir, 'contacts'), '');
  const logFile = valid.logFile ?? join(valid.runDir, 'baresip.log');

  const child: ChildProcess = await spawnOwned({ command: binary, args: ['-f', valid.runDir], cwd: valid.runDir, logFile });

  let control: Control | undefined;
  const probe = async (): Promise<boolean> => {
    control ??= await Control.open(valid.ctrlPort);
    if (control === undefined) {
      return false;
    }
    try {
      // Any answer proves the main loop runs with its modules loaded.
      await control.command('reginfo', '', 500);
      return true;
    } catch {
      return false;
    }
  };
  const fail = (why: string): Promise<never> => {
    control?.close();
    return failStart(child, 'baresip', why, logFile);
  };
  const outcome = await waitForReady(child, probe, startTimeoutMs);
  if (outcome !== 'ready' || control === undefined) {
    return fail(notReadyReason(child, outcome === 'ready' ? 'timeout' : outcome, `did not answer on ctrl_tcp port ${valid.ctrlPort} within ${startTimeoutMs} ms`));
  }
  const ctl: Control = control;

  const waitForEvent = (type: string, timeoutMs = 10_000, predicate: (event: BaresipEvent) => boolean = () => true): Promise<BaresipEvent> => {
    const seen = ctl.events.find((event) => event.type === type && predicate(event));
    if (seen !== undefined) {
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const listener = (event: BaresipEvent): void => {
        if (event.type === type && predicate(event)) {
          clearTimeout(timer);
          ctl.emitter.off('event', listener);
          resolve(event);
        }
      };
      const timer = setTimeout(() => {
        ctl.emitter.off('event', listener);
        reject(new Error(`baresip: no ${type} event within ${timeoutMs} ms (seen: ${ctl.events.map((e) => e.type).join(', ') || 'none'})`));
      }, timeoutMs);
      ctl.emitter.on('event', listener);
    });
  };

  const account = valid.account;
  if (account.role === 'desk-phone') {
    // The registration may have finished before ctrl_tcp accepted us (its event is then lost to us), so
    // ask: the `reginfo` command lists each account with "OK" once it is registered.
    const registered = async (): Promise<boolean> => {
      if (ctl.events.some((event) => event.type === 'REGISTER_OK')) {
        return true;
      }
      const info = await ctl.command('reginfo', '', 500).catch(() => ({ ok: false, data: '' }));
      // Colour codes around the status ("\x1b[32mOK \x1b[;m") would hide the word boundary.
      // eslint-disable-next-line no-control-regex
      return /\bOK\b/.test(info.data.replace(/\x1b\[[0-9;]*m/g, ''));
    };
    const outcome = await waitForReady(child, registered, startTimeoutMs, 50);
    if (outcome !== 'ready') {
      const failures = ctl.events.filter((event) => event.type === 'REGISTER_FAIL').map((event) => event.param ?? '');
      return fail(`could not register ${account.username}@${account.domain} at ${account.registrar} (${outcome}${failures.length > 0 ? `: ${failures.join(', ')}` : ''})`);
    }
  }

  const run = async (command: string, params = ''): Promise<void> => {
    const answer = await ctl.command(command, params);
    if (!answer.ok) {
      throw new Error(`baresip refused "${command} ${params}": ${answer.data}`);
    }
  };

  return {
    sipUri: `sip:${account.role === 'carrier' ? 'carrier' : account.username}@127.0.0.1:${valid.sipPort}`,
    sipPort: valid.sipPort,
    get pid(): number {
      return child.pid ?? -1;
    },
    logFile,
    get events(): readonly BaresipEvent[] {
      return ctl.events;
    },
    waitForEvent,
    dial: (uri) => run('dial', uri),
    answer: () => run('accept'),
    hangup: () => run('hangup'),
    async receivedAudio() {
      const files = (await readdir(valid.runDir)).filter((name) => name.endsWith('-dec.wav'));
      let newest: { file: string; mtime: number } | undefined;
      for (const name of files) {
        const file = join(valid.runDir, name);
        const { mtimeMs } = await stat(file);
        if (newest === undefined || mtimeMs >= newest.mtime) {
          newest = { file, mtime: mtimeMs };
        }
      }
      return newest === undefined ? { samples: 0, peak: 0 } : wavPeak(newest.file);
    },
    async stop(): Promise<void> {
      ctl.close();
      await stopOwned(child);
    },
  };
}
