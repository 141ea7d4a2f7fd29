import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  assessQuality, delayImpairment, lossImpairment, qualityWindowMs, sampleFromStats, slideWindow, verdictOf, type QualitySample,
} from '../../../renderer/src/calling/call-quality.js';
import { startQualitySampler } from '../../../renderer/src/calling/call-quality-sampler.js';

/** Samples one second apart, 50 packets a second each way (20 ms Opus), with `loss` of them lost each way. */
function steadyCall(seconds: number, { loss = 0, rttMs = 20, jitterMs = 2 }: { loss?: number; rttMs?: number | null; jitterMs?: number } = {}): QualitySample[] {
  const samples: QualitySample[] = [];
  for (let s = 0; s <= seconds; s += 1) {
    const lost = Math.round(50 * s * loss);
    samples.push({ at: s * 1000, rttMs, jitterMs, packetsReceived: 50 * s - lost, packetsLost: lost, packetsSent: 50 * s, remotePacketsLost: lost });
  }
  return samples;
}

describe('the E-model parts (ITU-T G.107)', () => {
  it('delay costs little below 177 ms one way and much more above', () => {
    expect(delayImpairment(100)).toBeCloseTo(2.4, 5);
    expect(delayImpairment(300)).toBeCloseTo(0.024 * 300 + 0.11 * (300 - 177.3), 5);
  });

  it('random loss with G.711 PLC (G.113 Appendix I, Bpl 25.1): nothing lost costs nothing, all lost costs 95', () => {
    expect(lossImpairment(0)).toBe(0);
    expect(lossImpairment(1)).toBeCloseTo((95 * 100) / 125.1, 5);
    expect(lossImpairment(0.2)).toBeCloseTo((95 * 20) / 45.1, 5);
  });

  it('G.109 bands: 80 and above good, 60 to 80 fair, below poor', () => {
    expect(verdictOf(93)).toBe('good');
    expect(verdictOf(80)).toBe('good');
    expect(verdictOf(79.9)).toBe('fair');
    expect(verdictOf(60)).toBe('fair');
    expect(verdictOf(59.9)).toBe('poor');
  });
});

describe('assessQuality', () => {
  it('needs two samples to count anything', () => {
    expect(assessQuality([])).toBeNull();
    expect(assessQuality(steadyCall(0))).toBeNull();
  });

  it('a clean short path is good', () => {
    const a = assessQuality(steadyCall(5));
    expect(a).toMatchObject({ verdict: 'good', lossFraction: 0, rttMs: 20, jitterMs: 2, cause: 'none' });
    expect(a?.rating).toBeGreaterThan(90);
  });

  it.each([
    [0.01, 'good'],
    [0.05, 'fair'],
    [0.1, 'fair'],
    [0.2, 'poor'],
    [0.25, 'poor'],
  ] as const)('%s of the packets lost is %s, and loss is the cause', (loss, verdict) => {
    const a = assessQuality(steadyCall(5, { loss }));
    expect(a?.verdict).toBe(verdict);
    expect(a?.lossFraction).toBeCloseTo(loss, 2);
    if (verdict !== 'good') expect(a?.cause).toBe('loss');
  });

  it('the worse direction counts: loss only on what we send (their RTCP) is still loss', () => {
    const samples = steadyCall(5).map((s) => ({ ...s, remotePacketsLost: Math.round(s.packetsSent * 0.2) }));
    expect(assessQuality(samples)).toMatchObject({ verdict: 'poor', cause: 'loss' });
  });

  it('a long round trip without loss is fair, then poor (G.114: 400 ms one way is the limit)', () => {
    expect(assessQuality(steadyCall(5, { rttMs: 500 }))).toMatchObject({ verdict: 'fair', cause: 'delay' });
    expect(assessQuality(steadyCall(5, { rttMs: 900 }))).toMatchObject({ verdict: 'poor', cause: 'delay' });
  });

  it('no RTT known yet: judged on loss alone, with the latest RTT when one came', () => {
    const samples = steadyCall(3, { rttMs: null });
    expect(assessQuality(samples)).toMatchObject({ verdict: 'good', rttMs: null });
    const withOne = samples.map((s, i) => (i === 1 ? { ...s, rttMs: 40 } : s));
    expect(assessQuality(withOne)?.rttMs).toBe(40);
  });
});

describe('the sliding window', () => {
  it('keeps the last five seconds, so a call recovers once the loss is over', () => {
    let window: QualitySample[] = [];
    const lossy = steadyCall(10, { loss: 0.2 });
    for (const sample of lossy) window = slideWindow(window, sample);
    expect(assessQuality(window)?.verdict).toBe('poor');
    expect(window.length).toBeLessThanOrEqual(qualityWindowMs / 1000 + 2);
    const last = lossy[lossy.length - 1];
    if (last === undefined) throw new Error('no samples');
    // Then six clean seconds: cumulative counters go on from where the lossy part left them.
    for (let s = 1; s <= 6; s += 1) {
      window = slideWindow(window, { ...last, at: last.at + s * 1000, packetsReceived: last.packetsReceived + 50 * s, packetsSent: last.packetsSent + 50 * s });
    }
    expect(assessQuality(window)).toMatchObject({ verdict: 'good', lossFraction: 0 });
  });
});

describe('sampleFromStats', () => {
  /** A stats report as Chromium 156 gives it for an audio call (fields the sampler reads, plus noise). */
  function report(entries: Record<string, unknown>[]): Map<string, Record<string, unknown>> {
    return new Map(entries.map((e) => [String(e['id']), e]));
  }

  it('reads inbound, outbound and remote-inbound audio, and the RTCP round trip', () => {
    const stats = report([
      { id: 'IT01A', type: 'inbound-rtp', kind: 'audio', packetsReceived: 900, packetsLost: 100, jitter: 0.004 },
      { id: 'OT01A', type: 'outbound-rtp', kind: 'audio', packetsSent: 1000 },
      { id: 'RI01A', type: 'remote-inbound-rtp', kind: 'audio', packetsLost: 30, roundTripTime: 0.031, fractionLost: 0.03 },
      { id: 'IT01V', type: 'inbound-rtp', kind: 'video', packetsReceived: 5, packetsLost: 99 },
      { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP1' },
      { id: 'CP1', type: 'candidate-pair', currentRoundTripTime: 0.002 },
    ]);
    expect(sampleFromStats(stats, 7)).toEqual({ at: 7, rttMs: 31, jitterMs: 4, packetsReceived: 900, packetsLost: 100, packetsSent: 1000, remotePacketsLost: 30 });
  });

  it('before any RTCP report, the round trip comes from the selected candidate pair (STUN checks)', () => {
    const stats = report([
      { id: 'IT01A', type: 'inbound-rtp', kind: 'audio', packetsReceived: 10, packetsLost: 0, jitter: 0 },
      { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP1' },
      { id: 'CP1', type: 'candidate-pair', currentRoundTripTime: 0.012 },
    ]);
    expect(sampleFromStats(stats, 0).rttMs).toBe(12);
    expect(sampleFromStats(report([]), 0)).toEqual({ at: 0, rttMs: null, jitterMs: null, packetsReceived: 0, packetsLost: 0, packetsSent: 0, remotePacketsLost: 0 });
  });
});

describe('startQualitySampler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('assesses a reading each interval, the first one interval in, and stops itself once the call has no stats', async () => {
    vi.useFakeTimers();
    const readings = [
      new Map([['a', { id: 'a', type: 'inbound-rtp', kind: 'audio', packetsReceived: 0, packetsLost: 0, jitter: 0.001 }]]),
      new Map([['a', { id: 'a', type: 'inbound-rtp', kind: 'audio', packetsReceived: 40, packetsLost: 10, jitter: 0.001 }]]),
    ];
    const seen: (string | null)[] = [];
    let clock = 0;
    let calls = 0;
    startQualitySampler(
      () => {
        calls += 1;
        return Promise.resolve(readings.shift() ?? null);
      },
      (assessment) => seen.push(assessment?.verdict ?? null),
      { intervalMs: 1000, now: () => (clock += 1000) },
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([null]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual([null, 'poor']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(3);
    // Stopped: no reading after the one that found no stats.
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(3);
  });

  it('stops when its owner stops it', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const stop = startQualitySampler(() => {
      calls += 1;
      return Promise.resolve(new Map());
    }, () => undefined, { intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(3500);
    expect(calls).toBe(3);
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(3);
  });
});
