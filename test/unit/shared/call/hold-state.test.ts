import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../../../shared/call/illegal-transition-error.js';
import {
  holdEventTypes,
  holdStates,
  holdTransition,
  isOnHold,
  maxReinviteAttempts,
  reinviteRetryDelayMs,
  type HoldEvent,
  type HoldState,
} from '../../../../shared/call/hold-state.js';

const expected: Record<HoldState, Record<HoldEvent, HoldState | null>> = {
  active: { holdRequested: 'holding', resumeRequested: null, reinviteSucceeded: null, reinviteFailed: null },
  holding: { holdRequested: null, resumeRequested: null, reinviteSucceeded: 'held', reinviteFailed: 'active' },
  held: { holdRequested: null, resumeRequested: 'resuming', reinviteSucceeded: null, reinviteFailed: null },
  resuming: { holdRequested: null, resumeRequested: null, reinviteSucceeded: 'active', reinviteFailed: 'held' },
};

const everyMove = holdStates.flatMap((from) => holdEventTypes.map((event) => [from, event, expected[from][event]] as const));

describe('holdTransition', () => {
  it('covers every state and event', () => {
    expect(everyMove).toHaveLength(4 * 4);
  });

  it.each(everyMove.filter(([, , to]) => to !== null))('%s --%s--> %s', (from, event, to) => {
    expect(holdTransition(from, event)).toBe(to);
  });

  it.each(everyMove.filter(([, , to]) => to === null))('%s --%s--> illegal', (from, event) => {
    expect(() => holdTransition(from, event)).toThrow(IllegalTransitionError);
  });

  it('rolls a failed hold back to active and a failed resume back to held', () => {
    expect(holdTransition(holdTransition('active', 'holdRequested'), 'reinviteFailed')).toBe('active');
    expect(holdTransition(holdTransition('held', 'resumeRequested'), 'reinviteFailed')).toBe('held');
  });

  it('always lands on a stable state after a request and its outcome', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 30 }), (outcomes) => {
        let state: HoldState = 'active';
        let onHold = false;
        for (const succeeded of outcomes) {
          state = holdTransition(state, onHold ? 'resumeRequested' : 'holdRequested');
          state = holdTransition(state, succeeded ? 'reinviteSucceeded' : 'reinviteFailed');
          if (succeeded) onHold = !onHold;
          expect(state).toBe(onHold ? 'held' : 'active');
        }
      }),
    );
  });
});

describe('isOnHold', () => {
  it.each<[HoldState, boolean]>([
    ['active', false],
    ['holding', true],
    ['held', true],
    ['resuming', false],
  ])('%s → %s', (state, onHold) => {
    expect(isOnHold(state)).toBe(onHold);
  });
});

describe('reinviteRetryDelayMs', () => {
  const fixed = (value: number) => () => value;

  it.each<[string, number, number | undefined, number, Parameters<typeof reinviteRetryDelayMs>[3], number | null]>([
    ['491, owner, lowest draw', 491, undefined, 1, { random: fixed(0) }, 2100],
    ['491, owner, highest draw', 491, undefined, 1, { random: fixed(0.999_999_999) }, 4000],
    ['491, owner by default', 491, undefined, 2, { random: fixed(0.5) }, 3050],
    ['491, not owner, lowest draw', 491, undefined, 1, { ownsCallId: false, random: fixed(0) }, 0],
    ['491, not owner, highest draw', 491, undefined, 1, { ownsCallId: false, random: fixed(0.999_999_999) }, 2000],
    ['491 ignores Retry-After', 491, 9, 1, { random: fixed(0) }, 2100],
    ['491 after the last attempt', 491, undefined, maxReinviteAttempts, { random: fixed(0) }, null],
    ['500 with Retry-After', 500, 3, 1, {}, 3000],
    ['500 with Retry-After 0', 500, 0, 1, {}, 0],
    ['500 with fractional Retry-After', 500, 1.5, 2, {}, 1500],
    ['500 with Retry-After 10', 500, 10, 1, {}, 10_000],
    ['500 with Retry-After beyond 10 s', 500, 11, 1, {}, null],
    ['500 with negative Retry-After', 500, -1, 1, {}, null],
    ['500 with NaN Retry-After', 500, Number.NaN, 1, {}, null],
    ['500 without Retry-After', 500, undefined, 1, {}, null],
    ['500 after the last attempt', 500, 3, maxReinviteAttempts, {}, null],
    ['488 Not Acceptable Here', 488, undefined, 1, {}, null],
    ['503 with Retry-After', 503, 3, 1, {}, null],
    ['408 timeout', 408, undefined, 1, {}, null],
  ])('%s', (_name, status, retryAfter, attempt, options, delay) => {
    expect(reinviteRetryDelayMs(status, retryAfter, attempt, options)).toBe(delay);
  });

  it('uses Math.random without options and stays in 2.1–4 s', () => {
    for (let i = 0; i < 100; i += 1) {
      const delay = reinviteRetryDelayMs(491, undefined, 1);
      expect(delay).toBeGreaterThanOrEqual(2100);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });

  it('draws 491 delays in 10 ms units within the RFC windows', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.boolean(), (draw, ownsCallId) => {
        const delay = reinviteRetryDelayMs(491, undefined, 1, { ownsCallId, random: () => draw });
        expect(delay).not.toBeNull();
        expect((delay ?? -1) % 10).toBe(0);
        const [low, high] = ownsCallId ? [2100, 4000] : [0, 2000];
        expect(delay).toBeGreaterThanOrEqual(low);
        expect(delay).toBeLessThanOrEqual(high);
      }),
    );
  });

  it('sends at most maxReinviteAttempts re-INVITEs', () => {
    let sent = 1;
    while (reinviteRetryDelayMs(491, undefined, sent, { random: fixed(0) }) !== null) sent += 1;
    expect(sent).toBe(maxReinviteAttempts);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects attempt %s', (attempt) => {
    expect(() => reinviteRetryDelayMs(491, undefined, attempt)).toThrow(RangeError);
  });
});
