/**
 * The settings' microphone level meter: the chosen input through a Web Audio AnalyserNode
 * (https://webaudio.github.io/web-audio-api/#AnalyserNode), its RMS read ten times a second and shown on a
 * dB scale, since loudness is heard logarithmically. Runs only while the settings are open: it holds the
 * microphone.
 */
import { openMicrophone } from './microphone-constraints.js';

/** Below this the meter reads empty: -60 dBFS is about a quiet room's noise on a laptop microphone. */
export const meterFloorDb = -60;
const meterIntervalMs = 100;

/** Root mean square of samples in -1..1. */
export function rmsOf(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.sqrt(sum / samples.length);
}

/** An RMS (0..1 of full scale) as the meter's position 0..1: -60 dBFS and below is 0, 0 dBFS is 1. */
export function meterLevel(rms: number): number {
  if (!(rms > 0)) return 0;
  const db = 20 * Math.log10(Math.min(1, rms));
  return Math.max(0, Math.min(1, (db - meterFloorDb) / -meterFloorDb));
}

/**
 * A peak meter's ballistics: it jumps up at once and falls back by a fraction per reading (about 1.5 s from
 * full to empty at ten readings a second), so a syllable stays visible long enough to be seen.
 */
export function heldLevel(shown: number, measured: number): number {
  return measured >= shown ? measured : Math.max(measured, shown - meterFallPerReading);
}
const meterFallPerReading = 0.07;

/**
 * Opens `deviceId` ('default' for the system's) and calls `onLevel` with the meter position until the
 * returned stop function is called; stop releases the microphone and the audio context.
 */
export async function startLevelMeter(deviceId: string, onLevel: (level: number) => void): Promise<() => void> {
  const devices = navigator.mediaDevices;
  if (devices === undefined) throw new Error('Media devices not available in insecure contexts.');
  const stream = await openMicrophone((c) => devices.getUserMedia(c), { audio: true, video: false }, deviceId);
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  const source = context.createMediaStreamSource(stream);
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  void context.resume().catch(() => undefined);
  let shown = 0;
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    shown = heldLevel(shown, meterLevel(rmsOf(samples)));
    onLevel(shown);
  }, meterIntervalMs);
  return () => {
    clearInterval(timer);
    source.disconnect();
    for (const track of stream.getTracks()) track.stop();
    void context.close().catch(() => undefined);
  };
}
