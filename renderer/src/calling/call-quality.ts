/**
 * How good a call sounds, from its WebRTC statistics (W3C webrtc-stats): a pure function from a window of
 * samples to a verdict. The sampler that feeds it lives in call-quality-sampler.ts.
 *
 * The verdict is the ITU-T E-model's transmission rating R (ITU-T G.107), reduced to the two impairments a
 * softphone can measure during a call, and read against the user-satisfaction bands of ITU-T G.109:
 *
 *   R = 93.2 - Id - Ie,eff                                  (G.107 section 3: R0 - Is = 93.2 by default)
 *   Id = 0.024 d + 0.11 (d - 177.3) H(d - 177.3)            (the usual simplification of G.107's Idd, Cole &
 *                                                            Rosenbluth, "Voice over IP performance
 *                                                            monitoring", ACM CCR 2001)
 *   Ie,eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl)    (G.107 formula 7-29, random loss: BurstR = 1)
 *
 *   d      one-way mouth-to-ear delay in ms: half the round-trip time, plus the jitter buffer (taken as twice
 *          the interarrival jitter) and one 20 ms packet;
 *   Ppl    packet loss in percent, the worse of the two directions;
 *   Ie, Bpl the codec's impairment and loss robustness. G.113 has no Opus values; those of G.711 with
 *          packet loss concealment (G.113 Appendix I: Ie = 0, Bpl = 25.1) are a cautious stand-in, Opus's
 *          concealment being at least as good.
 *
 * G.109 bands: R >= 80 "satisfied" (good), 60 <= R < 80 "some users dissatisfied" (fair), below 60 "many
 * users dissatisfied" (poor). For orientation: R = 80 is about 4 % loss on a short path, or 245 ms of
 * one-way delay without loss; R = 60 about 13 % loss, or 390 ms one way (near G.114's 400 ms limit).
 */

export type QualityVerdict = 'good' | 'fair' | 'poor';

/** One reading of a call's getStats, reduced to what the verdict needs. Counters are cumulative. */
export interface QualitySample {
  /** When it was taken (ms, any monotonic clock). */
  readonly at: number;
  /** Round-trip time in ms (remote-inbound-rtp, else the selected candidate pair); null when unknown. */
  readonly rttMs: number | null;
  /** Interarrival jitter of the audio we receive, in ms (inbound-rtp); null when unknown. */
  readonly jitterMs: number | null;
  /** inbound-rtp packetsReceived and packetsLost: what reaches us. */
  readonly packetsReceived: number;
  readonly packetsLost: number;
  /** remote-inbound-rtp packetsLost and our outbound-rtp packetsSent: what reaches them (their RTCP). */
  readonly packetsSent: number;
  readonly remotePacketsLost: number;
}

/** What a window of samples says, with the figures behind it (for the words shown and for tests). */
export interface QualityAssessment {
  readonly verdict: QualityVerdict;
  /** E-model R (0-100). */
  readonly rating: number;
  /** Loss over the window, 0-1, the worse direction. */
  readonly lossFraction: number;
  readonly rttMs: number | null;
  readonly jitterMs: number | null;
  /** The impairment that costs the most rating, to say in plain words what is wrong. */
  readonly cause: 'loss' | 'delay' | 'none';
}

/** G.109's band limits on R. */
export const goodRating = 80;
export const fairRating = 60;
/** G.711 with PLC, random loss (G.113 Appendix I). */
const codecIe = 0;
const codecBpl = 25.1;
/** One 20 ms packet (Opus's default frame, what SIP.js negotiates). */
const packetMs = 20;
/** The sampler's window: long enough to count a few hundred packets, short enough to recover in seconds. */
export const qualityWindowMs = 5_000;

/** Lost fraction of a direction between two cumulative readings; 0 when nothing was expected. */
function lossBetween(lostBefore: number, lostAfter: number, arrivedBefore: number, arrivedAfter: number, lostCountsInExpected: boolean): number {
  const lost = Math.max(0, lostAfter - lostBefore);
  const arrived = Math.max(0, arrivedAfter - arrivedBefore);
  // inbound: expected = received + lost; outbound: packetsSent already counts the lost ones.
  const expected = lostCountsInExpected ? arrived + lost : arrived;
  return expected <= 0 ? 0 : Math.min(1, lost / expected);
}

/** The E-model's delay impairment for a one-way delay in ms. */
export function delayImpairment(oneWayMs: number): number {
  const d = Math.max(0, oneWayMs);
  return 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
}

/** The E-model's effective equipment impairment for a loss fraction (0-1), random loss. */
export function lossImpairment(lossFraction: number): number {
  const ppl = Math.min(100, Math.max(0, lossFraction * 100));
  return codecIe + ((95 - codecIe) * ppl) / (ppl + codecBpl);
}

export function verdictOf(rating: number): QualityVerdict {
  if (rating >= goodRating) return 'good';
  if (rating >= fairRating) return 'fair';
  return 'poor';
}

const lastKnown = (samples: readonly QualitySample[], pick: (s: QualitySample) => number | null): number | null => {
  for (let i = samples.length - 1; i >= 0; i -= 1) {
    const sample = samples[i];
    const value = sample === undefined ? null : pick(sample);
    if (value !== null) return value;
  }
  return null;
};

/**
 * The verdict on a window of samples, oldest first. Loss is counted between the first and the last sample;
 * delay and jitter are the latest known. Null with fewer than two samples (nothing to count yet).
 */
export function assessQuality(samples: readonly QualitySample[]): QualityAssessment | null {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined || samples.length < 2) return null;
  const inboundLoss = lossBetween(first.packetsLost, last.packetsLost, first.packetsReceived, last.packetsReceived, true);
  const outboundLoss = lossBetween(first.remotePacketsLost, last.remotePacketsLost, first.packetsSent, last.packetsSent, false);
  const lossFraction = Math.max(inboundLoss, outboundLoss);
  const rttMs = lastKnown(samples, (s) => s.rttMs);
  const jitterMs = lastKnown(samples, (s) => s.jitterMs);
  const oneWayMs = (rttMs ?? 0) / 2 + 2 * (jitterMs ?? 0) + packetMs;
  const id = delayImpairment(oneWayMs);
  const ie = lossImpairment(lossFraction);
  const rating = Math.max(0, Math.min(100, 93.2 - id - ie));
  const verdict = verdictOf(rating);
  const cause = verdict === 'good' ? 'none' : ie >= id ? 'loss' : 'delay';
  return { verdict, rating, lossFraction, rttMs, jitterMs, cause };
}

/** Keeps the samples of the last `windowMs` (plus the one just before, so the window is covered). */
export function slideWindow(samples: readonly QualitySample[], next: QualitySample, windowMs = qualityWindowMs): QualitySample[] {
  const all = [...samples, next];
  const since = next.at - windowMs;
  let start = 0;
  while (start < all.length - 2 && (all[start + 1]?.at ?? Infinity) <= since) start += 1;
  return all.slice(start);
}

/** A stats report as the sampler sees it: RTCStatsReport's forEach/get (a Map in unit tests). */
export interface StatsLike {
  forEach(callback: (report: Record<string, unknown>) => void): void;
  get(id: string): unknown;
}

const numberOr = (value: unknown, fallback: number | null): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

/**
 * Reads one sample from a peer connection's getStats(): audio inbound-rtp (received, lost, jitter),
 * outbound-rtp (sent), remote-inbound-rtp (their losses, the RTT from RTCP), and the selected candidate
 * pair's currentRoundTripTime when RTCP has not given an RTT yet (from STUN consent checks).
 */
export function sampleFromStats(stats: StatsLike, at: number): QualitySample {
  // Fields of one object: TypeScript does not see assignments made inside the forEach callback to locals.
  const acc = { packetsReceived: 0, packetsLost: 0, packetsSent: 0, remotePacketsLost: 0, jitterMs: null as number | null, rtcpRttMs: null as number | null, selectedPair: null as string | null };
  stats.forEach((report) => {
    const audio = report['kind'] === 'audio' || report['mediaType'] === 'audio';
    switch (report['type']) {
      case 'inbound-rtp': {
        if (!audio) return;
        acc.packetsReceived += numberOr(report['packetsReceived'], 0) ?? 0;
        acc.packetsLost += Math.max(0, numberOr(report['packetsLost'], 0) ?? 0);
        const jitter = numberOr(report['jitter'], null);
        if (jitter !== null) acc.jitterMs = jitter * 1000;
        return;
      }
      case 'outbound-rtp':
        if (audio) acc.packetsSent += numberOr(report['packetsSent'], 0) ?? 0;
        return;
      case 'remote-inbound-rtp': {
        if (!audio) return;
        acc.remotePacketsLost += Math.max(0, numberOr(report['packetsLost'], 0) ?? 0);
        const rtt = numberOr(report['roundTripTime'], null);
        if (rtt !== null) acc.rtcpRttMs = rtt * 1000;
        return;
      }
      case 'transport':
        if (typeof report['selectedCandidatePairId'] === 'string') acc.selectedPair = report['selectedCandidatePairId'];
        return;
      default:
        return;
    }
  });
  const pair = acc.selectedPair === null ? undefined : (stats.get(acc.selectedPair) as Record<string, unknown> | undefined);
  const pairRtt = numberOr(pair?.['currentRoundTripTime'], null);
  return {
    at,
    rttMs: acc.rtcpRttMs ?? (pairRtt === null ? null : pairRtt * 1000),
    jitterMs: acc.jitterMs,
    packetsReceived: acc.packetsReceived,
    packetsLost: acc.packetsLost,
    packetsSent: acc.packetsSent,
    remotePacketsLost: acc.remotePacketsLost,
  };
}
