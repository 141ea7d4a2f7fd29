/** A tone: frequencies mixed together, switched on and off by a repeating cadence. */
export interface TonePattern {
  readonly frequencies: readonly number[];
  /** Alternating on/off durations in seconds, starting with "on"; repeats. */
  readonly cadence: readonly number[];
  /** Linear gain while on (0..1). */
  readonly level: number;
}

/**
 * French ringback ("tonalité de retour d'appel"): 440 Hz, 1.5 s on, 3.5 s off
 * (ITU-T E.180 Supplement 2, France).
 */
export const ringbackFrance: TonePattern = { frequencies: [440], cadence: [1.5, 3.5], level: 0.15 };

/** Our ringtone: two short chimes, then a pause. Generated, so no audio file ships with the app. */
export const ringtone: TonePattern = { frequencies: [659.25, 880], cadence: [0.4, 0.2, 0.4, 2], level: 0.25 };

/**
 * Call waiting ("tonalité d'appel en attente"), heard over the call in progress instead of the ringer:
 * 425 Hz, 0.2 s on, 0.2 s off, 0.2 s on, 5 s off. 425 Hz is the CEPT/ETSI harmonised tone frequency
 * (ETSI TR 101 041-2, European harmonisation of network generated tones); the double burst is the call
 * waiting tone listed for Germany in ITU-T E.180 Supplement 2. Quiet, since it plays over a conversation.
 */
export const callWaiting: TonePattern = { frequencies: [425], cadence: [0.2, 0.2, 0.2, 5], level: 0.1 };

/** Start and end times (seconds from now) of the "on" periods within `horizon` seconds. */
export function toneBursts(pattern: TonePattern, horizon: number): Array<readonly [number, number]> {
  const bursts: Array<readonly [number, number]> = [];
  const period = pattern.cadence.reduce((sum, d) => sum + d, 0);
  if (period <= 0) return bursts;
  let t = 0;
  while (t < horizon) {
    pattern.cadence.forEach((duration, index) => {
      if (index % 2 === 0 && t < horizon) bursts.push([t, Math.min(t + duration, horizon)]);
      t += duration;
    });
  }
  return bursts;
}
