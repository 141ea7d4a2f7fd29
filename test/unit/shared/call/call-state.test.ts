import { describe, expect, it } from 'vitest';
import {
  callEventTypes,
  callStates,
  hangupAction,
  IllegalTransitionError,
  initialCallState,
  transition,
  type CallEvent,
  type CallState,
  type HangupAction,
} from '../../../../shared/call/call-state.js';
import type { CallDirection } from '../../../../shared/call-record.js';

/** The diagram of call-state.ts as a table; `null` marks an illegal move. */
const expected: Record<CallState, Record<CallEvent, CallState | null>> = {
  calling: { progress: 'ringing', accepted: 'established', answer: null, ended: 'ended' },
  ringing: { progress: 'ringing', accepted: 'established', answer: null, ended: 'ended' },
  incoming: { progress: null, accepted: null, answer: 'answering', ended: 'ended' },
  answering: { progress: null, accepted: 'established', answer: null, ended: 'ended' },
  established: { progress: null, accepted: null, answer: null, ended: 'ended' },
  ended: { progress: null, accepted: null, answer: null, ended: null },
};

const everyMove = callStates.flatMap((from) => callEventTypes.map((event) => [from, event, expected[from][event]] as const));

describe('call transition', () => {
  it('covers every state and event', () => {
    expect(everyMove).toHaveLength(6 * 4);
    expect(Object.keys(expected).sort()).toEqual([...callStates].sort());
  });

  it.each(everyMove.filter(([, , to]) => to !== null))('%s --%s--> %s', (from, event, to) => {
    expect(transition(from, event)).toBe(to);
  });

  it.each(everyMove.filter(([, , to]) => to === null))('%s --%s--> illegal', (from, event) => {
    expect(() => transition(from, event)).toThrow(IllegalTransitionError);
    try {
      transition(from, event);
    } catch (error) {
      expect(error).toMatchObject({ machine: 'call', from, event, name: 'IllegalTransitionError' });
    }
  });

  it('has no way out of ended', () => {
    for (const event of callEventTypes) expect(() => transition('ended', event)).toThrow(IllegalTransitionError);
  });

  it.each<[string, CallDirection, readonly CallEvent[], CallState]>([
    ['outgoing answered after ringing', 'outgoing', ['progress', 'progress', 'accepted', 'ended'], 'ended'],
    ['outgoing answered at once', 'outgoing', ['accepted'], 'established'],
    ['outgoing busy', 'outgoing', ['progress', 'ended'], 'ended'],
    ['incoming answered', 'incoming', ['answer', 'accepted'], 'established'],
    ['incoming cancelled by the caller', 'incoming', ['ended'], 'ended'],
    ['incoming, answer failed', 'incoming', ['answer', 'ended'], 'ended'],
  ])('runs a whole call: %s', (_name, direction, events, final) => {
    expect(events.reduce(transition, initialCallState(direction))).toBe(final);
  });
});

describe('initialCallState', () => {
  it.each<[CallDirection, CallState]>([
    ['outgoing', 'calling'],
    ['incoming', 'incoming'],
  ])('%s → %s', (direction, state) => {
    expect(initialCallState(direction)).toBe(state);
  });
});

describe('hangupAction', () => {
  const actions: Record<CallState, Record<CallDirection, HangupAction | 'contradiction'>> = {
    calling: { outgoing: 'cancel', incoming: 'contradiction' },
    ringing: { outgoing: 'cancel', incoming: 'contradiction' },
    incoming: { outgoing: 'contradiction', incoming: 'reject' },
    answering: { outgoing: 'contradiction', incoming: 'reject' },
    established: { outgoing: 'bye', incoming: 'bye' },
    ended: { outgoing: 'none', incoming: 'none' },
  };
  const rows = callStates.flatMap((state) =>
    (['outgoing', 'incoming'] as const).map((direction) => [state, direction, actions[state][direction]] as const),
  );

  it.each(rows.filter(([, , action]) => action !== 'contradiction'))('%s (%s) → %s', (state, direction, action) => {
    expect(hangupAction(state, direction)).toBe(action);
  });

  it.each(rows.filter(([, , action]) => action === 'contradiction'))('%s cannot be %s', (state, direction) => {
    expect(() => hangupAction(state, direction)).toThrow(RangeError);
  });
});
