import { describe, expect, it } from 'vitest';
import {
  backgroundCalls,
  callRecordFor,
  frontCall,
  initialCallsState,
  reduceCalls,
  ringbackWanted,
  ringtoneWanted,
  waitingCalls,
  type CallsState,
} from '../../../renderer/src/state/calls-store.js';
import type { CallInfo, SipAdapterEvent } from '../../../renderer/src/sip/sip-events.js';

const outgoing: CallInfo = { id: 'out', direction: 'outgoing', remoteUser: '1002', remoteDisplay: '1002', remoteNumber: '1002', sipCallId: 'out-call-id' };
const incoming: CallInfo = { id: 'in', direction: 'incoming', remoteUser: '1003', remoteDisplay: 'Chloé', remoteNumber: '1003', sipCallId: 'in-call-id' };

function run(events: readonly SipAdapterEvent[], from: CallsState = initialCallsState): CallsState {
  return events.reduce(reduceCalls, from);
}

describe('calls store', () => {
  it('follows an outgoing call from calling to established, with ringback only before the answer', () => {
    const calling = run([{ type: 'callCreated', call: outgoing, at: 1000 }]);
    expect(calling.calls[0]?.state).toBe('calling');
    expect(ringbackWanted(calling)).toBe(true);
    const ringing = run([{ type: 'callProgress', callId: 'out' }, { type: 'callProgress', callId: 'out' }], calling);
    expect(ringing.calls[0]?.state).toBe('ringing');
    const answered = reduceCalls(ringing, { type: 'callAnswered', callId: 'out', at: 3000 });
    expect(answered.calls[0]).toMatchObject({ state: 'established', answeredAt: 3000 });
    expect(ringbackWanted(answered)).toBe(false);
  });

  it('stops the ringback when the network plays early media (the balance announcement), not after the answer', () => {
    const ringing = run([{ type: 'callCreated', call: outgoing, at: 1000 }, { type: 'callProgress', callId: 'out' }]);
    expect(ringbackWanted(ringing)).toBe(true);
    const stream = {} as MediaStream;
    const announced = reduceCalls(ringing, { type: 'remoteAudio', callId: 'out', stream });
    expect(announced.calls[0]?.earlyMedia).toBe(true);
    expect(ringbackWanted(announced)).toBe(false);
    const answered = reduceCalls(reduceCalls(ringing, { type: 'callAnswered', callId: 'out', at: 2000 }), { type: 'remoteAudio', callId: 'out', stream });
    expect(answered.calls[0]?.earlyMedia).toBe(false);
  });

  it('rings for an incoming call, stops ringing once answering', () => {
    const ringing = run([{ type: 'callCreated', call: incoming, at: 1000 }]);
    expect(ringtoneWanted(ringing)).toBe(true);
    const answering = reduceCalls(ringing, { type: 'callAnswering', callId: 'in' });
    expect(answering.calls[0]?.state).toBe('answering');
    expect(ringtoneWanted(answering)).toBe(false);
  });

  it('removes an ended call and remembers why', () => {
    const ended = run([
      { type: 'callCreated', call: outgoing, at: 1000 },
      { type: 'callEnded', callId: 'out', reason: 'busy', at: 2000 },
    ]);
    expect(ended.calls).toEqual([]);
    expect(ended.lastEnded).toEqual({ callId: 'out', remoteDisplay: '1002', reason: 'busy', at: 2000 });
  });

  it('keeps hold and mute as plain data, and ignores events for unknown calls', () => {
    const up = run([
      { type: 'callCreated', call: outgoing, at: 0 },
      { type: 'callAnswered', callId: 'out', at: 1 },
      { type: 'holdChange', callId: 'out', hold: 'holding' },
      { type: 'muteChange', callId: 'out', muted: true },
    ]);
    expect(up.calls[0]).toMatchObject({ hold: 'holding', muted: true });
    expect(reduceCalls(up, { type: 'holdChange', callId: 'nope', hold: 'held' })).toBe(up);
  });

  it('does not crash on an illegal move; the call keeps its state', () => {
    const calling = run([{ type: 'callCreated', call: outgoing, at: 0 }]);
    expect(reduceCalls(calling, { type: 'callAnswering', callId: 'out' }).calls[0]?.state).toBe('calling');
  });

  it('puts a second incoming call aside while talking, and silences the ringtone', () => {
    const state = run([
      { type: 'callCreated', call: outgoing, at: 0 },
      { type: 'callAnswered', callId: 'out', at: 1 },
      { type: 'callCreated', call: incoming, at: 2 },
    ]);
    expect(frontCall(state)?.id).toBe('out');
    expect(waitingCalls(state).map((c) => c.id)).toEqual(['in']);
    expect(ringtoneWanted(state)).toBe(false);
    const switched = run(
      [
        { type: 'holdChange', callId: 'out', hold: 'held' },
        { type: 'callAnswering', callId: 'in' },
        { type: 'callAnswered', callId: 'in', at: 3 },
      ],
      state,
    );
    expect(frontCall(switched)?.id).toBe('in');
    expect(backgroundCalls(switched).map((c) => c.id)).toEqual(['out']);
  });

  it('turns an ended call into a history record', () => {
    const up = run([
      { type: 'callCreated', call: outgoing, at: Date.parse('2026-01-02T10:00:00Z') },
      { type: 'callAnswered', callId: 'out', at: Date.parse('2026-01-02T10:00:05Z') },
    ]);
    const call = up.calls[0];
    if (call === undefined) throw new Error('no call');
    expect(callRecordFor(call, 'local-hangup', Date.parse('2026-01-02T10:01:10Z'))).toEqual({
      id: 'out',
      direction: 'outgoing',
      number: '1002',
      startedAt: '2026-01-02T10:00:00.000Z',
      durationSeconds: 65,
      outcome: 'answered',
      sipCallId: 'out-call-id',
    });
    const missed = run([{ type: 'callCreated', call: incoming, at: 0 }]).calls[0];
    if (missed === undefined) throw new Error('no call');
    expect(callRecordFor(missed, 'remote-cancelled', 5000)).toMatchObject({ outcome: 'missed', durationSeconds: 0 });
  });
});
