import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  keepAliveIntervalSeconds,
  keepAlivePongTimeoutSeconds,
  reconnectDelayMs,
  reconnectJitterRatio,
  reconnectMaxDelayMs,
} from '../../../../shared/sip/reconnect-policy.js';

const noJitter = () => 0.5;
const nominal = (attempt: number) => reconnectDelayMs(attempt, noJitter);

describe('reconnectDelayMs', () => {
  it.each([
    [0, 1_000],
    [1, 2_000],
    [2, 4_000],
    [3, 8_000],
    [4, 16_000],
    [5, 30_000],
    [6, 30_000],
    [100, 30_000],
    [Number.MAX_SAFE_INTEGER, 30_000],
  ])('attempt %i → %i ms without jitter', (attempt, delay) => {
    expect(nominal(attempt)).toBe(delay);
  });

  it.each([
    [0, 0, 800],
    [0, 1, 1_200],
    [5, 0, 24_000],
    [5, 1, 36_000],
    [5, 0.25, 27_000],
  ])('attempt %i with draw %d → %i ms', (attempt, draw, delay) => {
    expect(reconnectDelayMs(attempt, () => draw)).toBe(delay);
  });

  it('clamps a misbehaving random source', () => {
    expect(reconnectDelayMs(0, () => -5)).toBe(800);
    expect(reconnectDelayMs(0, () => 7)).toBe(1_200);
    expect(reconnectDelayMs(0, () => Number.NaN)).toBe(1_000);
  });

  it('is about one second for the first attempt with Math.random', () => {
    for (let i = 0; i < 100; i += 1) {
      const delay = reconnectDelayMs(0);
      expect(delay).toBeGreaterThanOrEqual(800);
      expect(delay).toBeLessThanOrEqual(1_200);
    }
  });

  it('never decreases without jitter and reaches the cap', () => {
    const delays = Array.from({ length: 40 }, (_, attempt) => nominal(attempt));
    for (let i = 1; i < delays.length; i += 1) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] ?? 0);
    expect(Math.max(...delays)).toBe(reconnectMaxDelayMs);
  });

  it.each([-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects attempt %s', (attempt) => {
    expect(() => reconnectDelayMs(attempt)).toThrow(RangeError);
  });

  it('stays within ±20% of the nominal delay, in whole milliseconds, for any attempt and draw', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, draw) => {
        const delay = reconnectDelayMs(attempt, () => draw);
        const middle = nominal(attempt);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(middle * (1 - reconnectJitterRatio)));
        expect(delay).toBeLessThanOrEqual(Math.ceil(middle * (1 + reconnectJitterRatio)));
        expect(delay).toBeLessThanOrEqual(reconnectMaxDelayMs * (1 + reconnectJitterRatio));
      }),
    );
  });

  it('is monotone in the draw for a fixed attempt', () => {
    fc.assert(
      fc.property(fc.nat({ max: 50 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(reconnectDelayMs(attempt, () => low)).toBeLessThanOrEqual(reconnectDelayMs(attempt, () => high));
      }),
    );
  });
});

describe('keepAliveIntervalSeconds', () => {
  it('notices a dead WebSocket within 30 s: one ping interval plus the RFC 5626 pong timeout', () => {
    expect(keepAliveIntervalSeconds + keepAlivePongTimeoutSeconds).toBeLessThanOrEqual(30);
  });

  it("keeps SIP.js's 10 s keepAliveDebounce below the shortest ping spacing (80% of the interval)", () => {
    expect(0.8 * keepAliveIntervalSeconds).toBeGreaterThan(10);
  });
});
