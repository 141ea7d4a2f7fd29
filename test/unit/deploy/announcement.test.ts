/**
 * The balance announcement (issue 10, section 2) through the real stack: Kamailio, rtpengine, the manager
 * (SQLite, demo company "Cabine Démo" in France, 25 EUR) with prompts rendered by espeak-ng, the carrier
 * stand-in (baresip). A paid call's caller hears the balance as early media, played by rtpengine's media
 * player, before the trunk is even called; included and emergency calls are never held up.
 *
 * The caller here is a baresip desk phone over UDP with plain RTP, which records what it receives to a WAV
 * file (sndfile): the proof is audio energy in the prompt's time window, in the early-media stream that
 * ended before the carrier answered. (Chromium: test/e2e/announcement.spec.ts.)
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type BaresipEvent, type RunningBaresip } from '../../../deploy/baresip-process.js';
import { freePortPair } from '../../../deploy/child-process.js';
import { startLocalStack, type LocalStack } from '../../../deploy/local-stack.js';
import { runSippClient } from '../../../deploy/sipp-client.js';
import { demoUsers } from '../../../shared/config/defaults.js';
import { managerApi } from './manager-api.js';
import { eventually } from './support/eventually.js';
import { loudWindows, ulawToLinear, wavSamples, windowRms } from './support/audio-energy.js';

const [alice, bruno] = demoUsers;
if (alice === undefined || bruno === undefined) throw new Error('the tests need two demo users');

/** 447 United Kingdom - Mobile: paid from the wallet (sample rate deck). */
const paidNumber = '+447400900123';
/** A London landline: included in the plan (free, not announced). */
const includedNumber = '+442079460000';
const windowMs = 100;

interface Timed {
  readonly at: number;
  readonly event: BaresipEvent;
}

/** The next event of `type` after the `since` first events (baresip keeps every event of its run). */
async function nextEvent(phone: RunningBaresip, type: string, since: number, timeoutMs = 20_000): Promise<Timed> {
  const event = await phone.waitForEvent(type, timeoutMs, (candidate) => phone.events.indexOf(candidate) >= since);
  return { at: Date.now(), event };
}

describe('balance announcement as early media (real Kamailio, rtpengine, manager, espeak-ng, baresip)', () => {
  let runDir: string;
  let stack: LocalStack;
  let deskPhone: RunningBaresip;
  let carrier: RunningBaresip;
  const promptDir = (): string => join(runDir, 'prompts');
  const deskDir = (): string => join(runDir, 'desk-phone');

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cabine-announce-'));
    stack = await startLocalStack({ runDir, carrier: 'baresip', announcements: true });
    if (stack.carrier?.baresip === undefined) throw new Error('the baresip carrier did not start');
    carrier = stack.carrier.baresip;
    deskPhone = await startBaresip({
      runDir: deskDir(),
      sipPort: await freePortPair('127.0.0.1', true),
      ctrlPort: await freePortPair(),
      rtpPortMin: 47_100,
      rtpPortMax: 47_199,
      account: { role: 'desk-phone', ...bruno, domain: stack.domain, registrar: `127.0.0.1:${stack.kamailio.udpPort}` },
    });
  });

  afterAll(async () => {
    await deskPhone?.stop();
    await stack?.stop();
    if (process.env['CABINE_KEEP_RUN_DIR'] !== '1') await rm(runDir, { recursive: true, force: true });
  });

  /**
   * The received-audio dumps of the desk phone written since `since` (epoch ms), oldest first. baresip names
   * them by their start time in whole seconds and reopens a name again within the same second, so a dump
   * belongs to a call by its modification time.
   */
  const decodedDumps = async (since: number): Promise<string[]> => {
    const names = (await readdir(deskDir())).filter((name) => name.endsWith('-dec.wav')).sort();
    const written = await Promise.all(names.map(async (name) => ({ name, mtime: (await stat(join(deskDir(), name))).mtimeMs })));
    return written.filter((dump) => dump.mtime >= since).map((dump) => dump.name);
  };
  const prompts = async (): Promise<string[]> => (await readdir(promptDir()).catch(() => [])).filter((name) => name.endsWith('.wav')).sort();

  /**
   * Places a paid call from the desk phone and returns when it is over: the timings, the prompt it was
   * announced with, and the energy of the early-media stream it received.
   */
  const announcedCall = async (number: string) => {
    const promptsBefore = await prompts();
    const deskSince = deskPhone.events.length;
    const carrierSince = carrier.events.length;
    const dialedAt = Date.now();
    await deskPhone.dial(`sip:${number}@${stack.domain}`);
    const [progress, atTrunk, answered] = await Promise.all([
      nextEvent(deskPhone, 'CALL_PROGRESS', deskSince),
      nextEvent(carrier, 'CALL_REMOTE_SDP', carrierSince),
      nextEvent(deskPhone, 'CALL_ESTABLISHED', deskSince),
    ]);
    await deskPhone.hangup();
    await nextEvent(deskPhone, 'CALL_CLOSED', deskSince);
    const newPrompts = (await prompts()).filter((name) => !promptsBefore.includes(name));
    const prompt = newPrompts[0] === undefined ? undefined : await wavSamples(join(promptDir(), newPrompts[0]));
    // The first dump of this call is the early-media stream (from the announcement's 183); baresip starts a
    // new one when the trunk's answer replaces the remote SDP.
    const early = (await decodedDumps(dialedAt))[0];
    const received = early === undefined ? undefined : await wavSamples(join(deskDir(), early));
    return { dialedAt, progress: progress.at, atTrunk: atTrunk.at, answered: answered.at, newPrompts, prompt, received };
  };

  it('a paid call hears the balance in French before it connects; the trunk is called only after the prompt', async () => {
    const call = await announcedCall(paidNumber);
    expect(call.newPrompts).toHaveLength(1);
    const { prompt, received } = call;
    if (prompt === undefined || received === undefined) throw new Error('no prompt rendered or no early media recorded');
    const promptMs = (prompt.samples.length / prompt.sampleRate) * 1000;
    const receivedMs = (received.samples.length / received.sampleRate) * 1000;
    const promptRms = windowRms(prompt.samples, prompt.sampleRate, windowMs);
    const receivedRms = windowRms(received.samples, received.sampleRate, windowMs);
    // Speech, in the prompt's time window: nearly every loud 100 ms window of the prompt arrived loud (G.711
    // and the resampler change levels, not where the words are), and none before the lead silence ended.
    expect(loudWindows(receivedRms)).toBeGreaterThanOrEqual(Math.floor(loudWindows(promptRms) * 0.8));
    const firstLoud = receivedRms.findIndex((rms) => rms > 300);
    const promptFirstLoud = promptRms.findIndex((rms) => rms > 300);
    expect(Math.abs(firstLoud - promptFirstLoud)).toBeLessThanOrEqual(3);
    // The early stream lasted the prompt, and ended before the carrier was even called.
    expect(receivedMs).toBeGreaterThan(promptMs - 400);
    expect(call.atTrunk - call.progress).toBeGreaterThan(promptMs - 400);
    expect(call.answered).toBeGreaterThanOrEqual(call.atTrunk);
    console.info(
      `announcement FR (desk phone): INVITE -> 183 ${call.progress - call.dialedAt} ms, prompt ${Math.round(promptMs)} ms, ` +
        `INVITE -> trunk ${call.atTrunk - call.dialedAt} ms, INVITE -> answer ${call.answered - call.dialedAt} ms, ` +
        `early audio ${Math.round(receivedMs)} ms with ${loudWindows(receivedRms)}/${receivedRms.length} loud windows`,
    );
  }, 40_000);

  /** Dials `number` and checks the call reached the trunk at once, with no 183 and no new prompt. */
  async function expectUnannouncedCall(number: string): Promise<void> {
    const before = await prompts();
    const deskSince = deskPhone.events.length;
    const carrierSince = carrier.events.length;
    const dialedAt = Date.now();
    await deskPhone.dial(`sip:${number}@${stack.domain}`);
    const atTrunk = await nextEvent(carrier, 'CALL_REMOTE_SDP', carrierSince);
    await nextEvent(deskPhone, 'CALL_ESTABLISHED', deskSince);
    await deskPhone.hangup();
    await nextEvent(deskPhone, 'CALL_CLOSED', deskSince);
    expect(atTrunk.at - dialedAt).toBeLessThan(1_500);
    expect(await prompts()).toEqual(before);
    expect(deskPhone.events.slice(deskSince).some((event) => event.type === 'CALL_PROGRESS')).toBe(false);
  }

  it('an included call is not announced and reaches the trunk at once', () => expectUnannouncedCall(includedNumber), 30_000);

  it('an English-speaking company hears the English prompt, of another length than the French one', async () => {
    const french = await prompts();
    // The company moves to the United Kingdom (no API changes a company's country yet: the manager's own
    // database, which it reads on every authorize).
    const db = new Database(join(runDir, 'manager', 'data', 'cabine-manager.db'));
    try {
      db.prepare('UPDATE companies SET country = ? WHERE sip_domain = ?').run('GB', stack.domain);
    } finally {
      db.close();
    }
    const call = await announcedCall(paidNumber);
    expect(call.newPrompts).toHaveLength(1);
    const frenchPrompt = french[0] === undefined ? undefined : await wavSamples(join(promptDir(), french[0]));
    const { prompt, received } = call;
    if (prompt === undefined || received === undefined || frenchPrompt === undefined) throw new Error('missing prompt or early media');
    const englishMs = (prompt.samples.length / prompt.sampleRate) * 1000;
    const frenchMs = (frenchPrompt.samples.length / frenchPrompt.sampleRate) * 1000;
    const receivedMs = (received.samples.length / received.sampleRate) * 1000;
    expect(Math.abs(englishMs - frenchMs)).toBeGreaterThan(150);
    // What the phone heard has the English prompt's length, not the French one's.
    expect(Math.abs(receivedMs - englishMs)).toBeLessThan(Math.abs(receivedMs - frenchMs));
    expect(loudWindows(windowRms(received.samples, received.sampleRate, windowMs))).toBeGreaterThanOrEqual(
      Math.floor(loudWindows(windowRms(prompt.samples, prompt.sampleRate, windowMs)) * 0.8),
    );
    console.info(`announcement EN ${Math.round(englishMs)} ms, FR ${Math.round(frenchMs)} ms; EN INVITE -> trunk ${call.atTrunk - call.dialedAt} ms`);
  }, 40_000);

  it('sipp (a SIP client that is not Cabine) gets the announcement as early media on the port its SDP offers', async () => {
    // The test's socket is the sipp caller's "sound card": the SDP sipp sends offers this port.
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const packets: { at: number; ssrc: number; payload: Buffer }[] = [];
    socket.on('message', (message) => {
      // RTP (RFC 3550 5.1): 12-byte header (no CSRC or extension from rtpengine), PCMU payload.
      if (message.length > 12 && (message[1] ?? 0) % 128 === 0) packets.push({ at: Date.now(), ssrc: message.readUInt32BE(8), payload: message.subarray(12) });
    });
    const before = await prompts();
    const startedAt = Date.now();
    try {
      const result = await runSippClient({
        workDir: join(runDir, 'sipp'),
        proxy: `127.0.0.1:${stack.kamailio.udpPort}`,
        domain: stack.domain,
        caller: alice,
        callee: paidNumber,
        scenario: { expectStatus: 200, holdMs: 1_000, sdpMediaPort: socket.address().port },
        timeoutSeconds: 30,
      });
      expect(result.successful, result.output).toBe(1);
      const newPrompts = (await prompts()).filter((name) => !before.includes(name));
      expect(newPrompts).toHaveLength(1);
      const prompt = await wavSamples(join(promptDir(), newPrompts[0] ?? ''));
      const promptMs = (prompt.samples.length / prompt.sampleRate) * 1000;
      // The first stream (one SSRC) is the announcement; the carrier's tone follows on another.
      const firstSsrc = packets[0]?.ssrc;
      const announcement = packets.filter((packet) => packet.ssrc === firstSsrc);
      const after = packets.filter((packet) => packet.ssrc !== firstSsrc);
      const first = announcement[0];
      const last = announcement.at(-1);
      if (first === undefined || last === undefined) throw new Error('no RTP reached the caller');
      const samples = announcement.flatMap((packet) => [...packet.payload].map(ulawToLinear));
      const rms = windowRms(samples, 8_000, windowMs);
      expect(loudWindows(rms)).toBeGreaterThanOrEqual(Math.floor(loudWindows(windowRms(prompt.samples, prompt.sampleRate, windowMs)) * 0.8));
      expect(last.at - first.at).toBeGreaterThan(promptMs - 400);
      // The carrier's audio came after the announcement, never during it.
      expect(after.length).toBeGreaterThan(0);
      expect(after[0]?.at ?? 0).toBeGreaterThanOrEqual(last.at);
      // sipp's own timer: authenticated INVITE -> 200 OK.
      const setupMs = result.setupMs[0] ?? 0;
      expect(setupMs).toBeGreaterThan(promptMs - 400);
      const inviteAt = (after[0]?.at ?? 0) - setupMs;
      console.info(
        `announcement to sipp: INVITE -> first announcement packet ~${first.at - inviteAt} ms (sipp started ${first.at - startedAt} ms before), ` +
          `announcement stream ${last.at - first.at} ms for a ${Math.round(promptMs)} ms prompt, ${announcement.length} packets, ` +
          `${loudWindows(rms)} loud windows; INVITE -> 200 OK ${setupMs} ms`,
      );
    } finally {
      socket.close();
    }
  }, 40_000);

  it('an emergency call is never announced and reaches the trunk at once', () => expectUnannouncedCall('112'), 30_000);

  it('a caller who hangs up during the announcement never reaches the trunk, and nothing stays reserved', async () => {
    if (stack.manager === undefined) throw new Error('no manager');
    const api = managerApi(stack.manager.url);
    const token = await api.signIn('alice@cabine.test', alice.password);
    const balanceBefore = (await api.wallet(token)).balanceMinor;
    const deskSince = deskPhone.events.length;
    const carrierSince = carrier.events.length;
    await deskPhone.dial(`sip:${paidNumber}@${stack.domain}`);
    await nextEvent(deskPhone, 'CALL_PROGRESS', deskSince);
    const cancelledAt = Date.now();
    await deskPhone.hangup();
    await nextEvent(deskPhone, 'CALL_CLOSED', deskSince);
    // The reservation made at authorize is released (the CANCEL ended the leg: dialog:failed).
    await eventually('the reservation released', async () => (await api.wallet(token)).reservedMinor === 0, 10_000);
    // Past the moment the prompt would have ended and the call gone on, the trunk has still seen nothing.
    const promptMs = Math.max(...(await Promise.all((await prompts()).map(async (name) => {
      const { samples, sampleRate } = await wavSamples(join(promptDir(), name));
      return (samples.length / sampleRate) * 1000;
    }))));
    await eventually('the prompt window to pass', () => Promise.resolve(Date.now() - cancelledAt > promptMs + 1_000), promptMs + 5_000);
    expect(carrier.events.slice(carrierSince)).toEqual([]);
    expect((await api.wallet(token)).balanceMinor).toBe(balanceBefore);
  }, 40_000);
});
