/**
 * Audio energy for the announcement tests: RMS per window of 16-bit PCM (WAV files recorded by baresip,
 * prompts rendered by espeak-ng) and of G.711 µ-law RTP payloads (what a SIP peer receives), so a test can
 * say "there was speech in this time window", not merely "packets arrived".
 */
import { readFile } from 'node:fs/promises';
import { parsePcmWav } from '../../../../manager/src/announcements/prompt-cache.js';

/** 16-bit mono samples of a PCM WAV file and its sample rate. */
export async function wavSamples(file: string): Promise<{ readonly samples: Int16Array; readonly sampleRate: number }> {
  const wav = parsePcmWav(await readFile(file));
  if (wav.bitsPerSample !== 16 || wav.channels !== 1) throw new Error(`${file}: expected 16-bit mono PCM`);
  const samples = new Int16Array(Math.floor(wav.data.length / 2));
  for (let i = 0; i < samples.length; i += 1) samples[i] = wav.data.readInt16LE(i * 2);
  return { samples, sampleRate: wav.sampleRate };
}

/** RMS of each consecutive window of `windowMs` (the last partial window is dropped). */
export function windowRms(samples: ArrayLike<number>, sampleRate: number, windowMs: number): number[] {
  const size = Math.round((sampleRate * windowMs) / 1000);
  const out: number[] = [];
  for (let start = 0; start + size <= samples.length; start += size) {
    let sum = 0;
    for (let i = start; i < start + size; i += 1) {
      const value = samples[i] ?? 0;
      sum += value * value;
    }
    out.push(Math.sqrt(sum / size));
  }
  return out;
}

/** Decodes one G.711 µ-law byte to a 16-bit linear sample (ITU-T G.711, table 2). */
export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return sign ? -magnitude : magnitude;
}

/** Windows louder than `threshold` RMS: speech, not silence or comfort noise. */
export const loudWindows = (rms: readonly number[], threshold = 300): number => rms.filter((value) => value > threshold).length;
