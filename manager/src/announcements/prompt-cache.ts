/**
 * Spoken prompts as WAV files, rendered once by Debian's espeak-ng and kept in a cache directory keyed by
 * language and text (SHA-256), so the same balance is never rendered twice. rtpengine's media player reads
 * the file (it decodes and resamples it with libavcodec to the caller's codec), so the directory must be on
 * the machine (or a volume shared with the machine) that runs rtpengine.
 *
 * Each prompt starts with `leadSilenceMs` of silence: a WebRTC caller's ICE and DTLS handshake with
 * rtpengine runs while the first packets are already being played, and those are lost (measured on loopback:
 * docs/sip-server.md). The duration returned counts that silence.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnnouncementLanguage } from './announcement-text';

/** A rendered prompt. */
export interface Prompt {
  /** Absolute path of the WAV file: `[A-Za-z0-9/._-]` only, as the proxy checks before it plays it. */
  readonly file: string;
  /** Length of the audio, silence included, in milliseconds. */
  readonly durationMs: number;
}

export interface PromptCacheOptions {
  /** Absolute directory of the cache; created if missing. */
  readonly dir: string;
  /** espeak-ng binary (default `espeak-ng` from PATH). */
  readonly espeak?: string;
  /** Silence before the words (default 700 ms). */
  readonly leadSilenceMs?: number;
  /** Longest an espeak-ng run may take (default 2000 ms). */
  readonly renderTimeoutMs?: number;
  /**
   * Most prompts kept (default 1000, ~300 KB each): past it, each new prompt removes the least recently
   * written ones. A prompt being played stays readable (Linux keeps an unlinked open file).
   */
  readonly maxFiles?: number;
}

/** espeak-ng voices per language (Debian's espeak-ng-data). */
const voices: Readonly<Record<AnnouncementLanguage, string>> = { en: 'en-gb', fr: 'fr-fr' };

interface PcmWav {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  readonly data: Buffer;
}

/** Reads a PCM WAV's format and samples (RIFF chunks, as espeak-ng writes them). */
export function parsePcmWav(bytes: Buffer): PcmWav {
  if (bytes.length < 12 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let offset = 12;
  let format: Omit<PcmWav, 'data'> | undefined;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    // espeak-ng writing to a pipe leaves the size fields at 0x7ffff...: clamp to the bytes present.
    const size = Math.min(bytes.readUInt32LE(offset + 4), bytes.length - offset - 8);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (bytes.readUInt16LE(body) !== 1) throw new Error('not PCM');
      format = { channels: bytes.readUInt16LE(body + 2), sampleRate: bytes.readUInt32LE(body + 4), bitsPerSample: bytes.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (format === undefined) throw new Error('data chunk before fmt chunk');
      return { ...format, data: bytes.subarray(body, body + size) };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/** A mono/stereo PCM WAV file of `data` with `silenceMs` of zeros before it. */
export function pcmWav(wav: PcmWav, silenceMs: number): Buffer {
  const frame = (wav.bitsPerSample / 8) * wav.channels;
  const silence = Buffer.alloc(Math.round((wav.sampleRate * silenceMs) / 1000) * frame);
  const data = Buffer.concat([silence, wav.data]);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(wav.channels, 22);
  header.writeUInt32LE(wav.sampleRate, 24);
  header.writeUInt32LE(wav.sampleRate * frame, 28);
  header.writeUInt16LE(frame, 32);
  header.writeUInt16LE(wav.bitsPerSample, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Milliseconds of audio in a PCM WAV. */
export function wavDurationMs(wav: PcmWav): number {
  const frame = (wav.bitsPerSample / 8) * wav.channels;
  return Math.round((wav.data.length / frame / wav.sampleRate) * 1000);
}

function runEspeak(binary: string, voice: string, text: string, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // The text goes in on stdin, never through a shell; --stdout writes the WAV.
    const child = execFile(binary, ['-v', voice, '-s', '165', '--stdin', '--stdout'], { encoding: 'buffer', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error) reject(new Error(`espeak-ng failed: ${error.message}`));
      else resolve(stdout);
    });
    child.stdin?.end(text);
  });
}

/** A cache of rendered prompts; {@link PromptCache.render} is safe to call concurrently. */
export interface PromptCache {
  render(language: AnnouncementLanguage, text: string): Promise<Prompt>;
}

export function createPromptCache(options: PromptCacheOptions): PromptCache {
  const espeak = options.espeak ?? 'espeak-ng';
  const leadSilenceMs = options.leadSilenceMs ?? 700;
  const timeoutMs = options.renderTimeoutMs ?? 2000;
  const maxFiles = options.maxFiles ?? 1000;
  /** Removes the oldest prompts beyond maxFiles; never `keep`, the one just written. */
  const prune = async (keep: string): Promise<void> => {
    const names = (await readdir(options.dir)).filter((name) => name.endsWith('.wav'));
    if (names.length <= maxFiles) return;
    const written = await Promise.all(
      names.map(async (name) => ({ file: join(options.dir, name), mtime: (await stat(join(options.dir, name)).catch(() => ({ mtimeMs: 0 }))).mtimeMs })),
    );
    written.sort((a, b) => a.mtime - b.mtime);
    for (const { file } of written.slice(0, names.length - maxFiles)) {
      if (file !== keep) await unlink(file).catch(() => undefined);
    }
  };
  const pending = new Map<string, Promise<Prompt>>();
  let ready: Promise<unknown> | undefined;
  const renderOnce = async (language: AnnouncementLanguage, text: string, key: string): Promise<Prompt> => {
    ready ??= mkdir(options.dir, { recursive: true });
    await ready;
    const file = join(options.dir, `${key}.wav`);
    const cached = await readFile(file).catch(() => undefined);
    if (cached !== undefined) return { file, durationMs: wavDurationMs(parsePcmWav(cached)) };
    const spoken = parsePcmWav(await runEspeak(espeak, voices[language], text, timeoutMs));
    const wav = pcmWav(spoken, leadSilenceMs);
    // Written aside and renamed: the media player never reads a half-written file.
    const partial = `${file}.${process.pid}.${Date.now()}.part`;
    await writeFile(partial, wav);
    await rename(partial, file);
    await prune(file);
    return { file, durationMs: wavDurationMs(parsePcmWav(wav)) };
  };
  return {
    render(language, text) {
      const key = createHash('sha256').update(`${language}\n${leadSilenceMs}\n${text}`).digest('hex');
      const inFlight = pending.get(key);
      if (inFlight) return inFlight;
      const rendering = renderOnce(language, text, key).finally(() => pending.delete(key));
      pending.set(key, rendering);
      return rendering;
    },
  };
}
