/**
 * Samples a call's getStats once a second and hands the verdict of the last few seconds
 * (call-quality.ts) to `onAssessment`. One sampler per shown call; it stops itself when the call's stats
 * are gone (the call ended) and is stopped by its owner when the call leaves the screen.
 */
import { assessQuality, sampleFromStats, slideWindow, type QualityAssessment, type QualitySample, type StatsLike } from './call-quality.js';

/** Once a second: RTCP reports come every ~1-5 s (RFC 3550 6.2), and people notice a change in seconds. */
export const qualitySampleIntervalMs = 1_000;

export interface QualitySamplerOptions {
  readonly intervalMs?: number;
  readonly now?: () => number;
}

/**
 * Starts sampling; returns the function that stops it. `getStats` resolves null once the call has no peer
 * connection any more, which stops the sampler too. A reading still in flight when stopped is dropped.
 */
export function startQualitySampler(
  getStats: () => Promise<StatsLike | null>,
  onAssessment: (assessment: QualityAssessment | null) => void,
  options: QualitySamplerOptions = {},
): () => void {
  const now = options.now ?? (() => performance.now());
  let samples: QualitySample[] = [];
  let stopped = false;
  let busy = false;
  const stop = (): void => {
    stopped = true;
    clearInterval(timer);
  };
  const tick = (): void => {
    // A slow getStats (a loaded machine) is not queued behind itself.
    if (busy || stopped) return;
    busy = true;
    getStats().then(
      (stats) => {
        busy = false;
        if (stopped) return;
        if (stats === null) {
          stop();
          return;
        }
        samples = slideWindow(samples, sampleFromStats(stats, now()));
        onAssessment(assessQuality(samples));
      },
      () => {
        // The peer connection closed under us: the call is ending.
        busy = false;
        stop();
      },
    );
  };
  // The first reading one interval in, not at once: the indicator appears as the call's media connects,
  // and that moment's CPU belongs to ICE and DTLS (docs/call-flow.md, "Receiving a call").
  const timer = setInterval(tick, options.intervalMs ?? qualitySampleIntervalMs);
  return stop;
}
