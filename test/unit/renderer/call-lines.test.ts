import { describe, expect, it } from 'vitest';
import { startConferenceMix, type ConferenceLeg, type MixerContext } from '../../../renderer/src/audio/conference-mixer.js';
import { callWaiting, toneBursts } from '../../../renderer/src/audio/tone-patterns.js';
import { linesEn } from '../../../renderer/src/i18n/lines-en.js';
import { linesFr } from '../../../renderer/src/i18n/lines-fr.js';
import { busyHereStatusCode, defaultMaxLines, incomingRefusal, lineFree, newLinePolicy } from '../../../renderer/src/sip/call-lines.js';
import type { CallInfo, SipAdapterEvent } from '../../../renderer/src/sip/sip-events.js';
import {
  backgroundCalls,
  callWaitingToneWanted,
  frontCall,
  inConference,
  initialCallsState,
  lineRole,
  lineSwapPair,
  reduceCalls,
  refusedCallRecord,
  ringtoneWanted,
  waitingCalls,
  type CallsState,
} from '../../../renderer/src/state/calls-store.js';

/**
 * Several calls at once (issue 12 §2) and the local three-way call (§4): the calls store's pure
 * transitions, the line policy, the call-waiting tone and the mixer's graph on a recording context.
 */

const info = (id: string, direction: CallInfo['direction'] = 'incoming'): CallInfo => ({
  id,
  direction,
  remoteUser: id,
  remoteDisplay: `Caller ${id}`,
  remoteNumber: id,
  sipCallId: `${id}@cabine.test`,
});

function run(events: readonly SipAdapterEvent[], from: CallsState = initialCallsState): CallsState {
  return events.reduce(reduceCalls, from);
}

/** An answered incoming call `id`. */
function answered(id: string): SipAdapterEvent[] {
  return [
    { type: 'callCreated', call: info(id), at: 1000 },
    { type: 'callAnswering', callId: id },
    { type: 'callAnswered', callId: id, at: 2000 },
  ];
}

const held = (id: string): SipAdapterEvent[] => [
  { type: 'holdChange', callId: id, hold: 'holding' },
  { type: 'holdChange', callId: id, hold: 'held' },
];

describe('call waiting', () => {
  it('a second call during a conversation plays the call-waiting tone, not the ringtone; answering it stops the tone', () => {
    const talking = run(answered('a'));
    const ringingIn = reduceCalls(talking, { type: 'callCreated', call: info('b'), at: 3000 });
    expect(callWaitingToneWanted(ringingIn)).toBe(true);
    expect(ringtoneWanted(ringingIn)).toBe(false);
    expect(waitingCalls(ringingIn).map((call) => call.id)).toEqual(['b']);
    expect(frontCall(ringingIn)?.id).toBe('a');
    // Answer: the first goes on hold, the second is answered.
    const both = run([...held('a'), { type: 'callAnswering', callId: 'b' }, { type: 'callAnswered', callId: 'b', at: 4000 }], ringingIn);
    expect(callWaitingToneWanted(both)).toBe(false);
    expect(frontCall(both)?.id).toBe('b');
    expect(backgroundCalls(both).map((call) => call.id)).toEqual(['a']);
  });

  it('with no call in conversation an incoming call rings the ringtone only', () => {
    const ringing = run([{ type: 'callCreated', call: info('a'), at: 1000 }]);
    expect(ringtoneWanted(ringing)).toBe(true);
    expect(callWaitingToneWanted(ringing)).toBe(false);
  });

  it('the call-waiting tone is the 425 Hz double burst every 5.4 s, quieter than the ringtone', () => {
    expect(callWaiting.frequencies).toEqual([425]);
    expect(toneBursts(callWaiting, 11)).toEqual([
      [0, 0.2],
      [0.4, 0.6000000000000001],
      [5.6, 5.8],
      [6, 6.2],
    ].map(([from, to]) => [expect.closeTo(from ?? 0, 6), expect.closeTo(to ?? 0, 6)]));
    expect(callWaiting.level).toBeLessThan(0.25);
  });
});

describe('swap and the live call', () => {
  const twoCalls = run([...answered('a'), ...held('a'), ...answered('b')]);

  it('shows which call is live and which is held', () => {
    const [a, b] = twoCalls.calls;
    if (a === undefined || b === undefined) throw new Error('two calls expected');
    expect(lineRole(twoCalls, a)).toBe('held');
    expect(lineRole(twoCalls, b)).toBe('live');
    expect(lineSwapPair(twoCalls)).toMatchObject({ live: { id: 'b' }, held: { id: 'a' } });
  });

  it('after a swap the other call is live and in front', () => {
    const swapped = run(
      [
        { type: 'holdChange', callId: 'b', hold: 'holding' },
        { type: 'holdChange', callId: 'a', hold: 'resuming' },
        { type: 'holdChange', callId: 'b', hold: 'held' },
        { type: 'holdChange', callId: 'a', hold: 'active' },
      ],
      twoCalls,
    );
    expect(frontCall(swapped)?.id).toBe('a');
    expect(lineSwapPair(swapped)).toMatchObject({ live: { id: 'a' }, held: { id: 'b' } });
  });

  it('no swap while a re-INVITE is pending, nor with two live calls', () => {
    expect(lineSwapPair(run([{ type: 'holdChange', callId: 'a', hold: 'resuming' }], twoCalls))).toBeNull();
    expect(lineSwapPair(run([...answered('a'), ...answered('b')]))).toBeNull();
  });

  it('ending the live call leaves the held one in front, still held', () => {
    const left = reduceCalls(twoCalls, { type: 'callEnded', callId: 'b', reason: 'remote-hangup', at: 9000 });
    expect(frontCall(left)?.id).toBe('a');
    expect(left.calls[0]?.hold).toBe('held');
  });
});

describe('lines and Do not disturb', () => {
  it(`takes ${defaultMaxLines} calls; a further incoming call is refused busy, and a further outgoing one is not placed`, () => {
    const policy = newLinePolicy();
    expect(defaultMaxLines).toBe(4);
    for (let lines = 0; lines < 4; lines += 1) {
      expect(incomingRefusal(policy, lines)).toBeNull();
      expect(lineFree(policy, lines)).toBe(true);
    }
    expect(incomingRefusal(policy, 4)).toBe('all-lines-busy');
    expect(lineFree(policy, 4)).toBe(false);
    expect(busyHereStatusCode).toBe(486);
  });

  it('Do not disturb refuses every incoming call, even with every line free, and does not stop outgoing calls', () => {
    const policy = newLinePolicy();
    policy.doNotDisturb = true;
    expect(incomingRefusal(policy, 0)).toBe('do-not-disturb');
    expect(lineFree(policy, 0)).toBe(true);
  });

  it('the store follows the Do not disturb switch; a refused call never becomes a call and its history line says missed', () => {
    const on = reduceCalls(initialCallsState, { type: 'doNotDisturbChange', on: true });
    expect(on.doNotDisturb).toBe(true);
    const refused = reduceCalls(on, { type: 'callRefused', call: info('c'), refusal: 'do-not-disturb', at: Date.UTC(2026, 0, 2, 9) });
    expect(refused).toBe(on);
    expect(refusedCallRecord(info('c'), Date.UTC(2026, 0, 2, 9))).toEqual({
      id: 'c',
      direction: 'incoming',
      number: 'c',
      startedAt: '2026-01-02T09:00:00.000Z',
      durationSeconds: 0,
      outcome: 'missed',
      sipCallId: 'c@cabine.test',
    });
    expect(reduceCalls(on, { type: 'doNotDisturbChange', on: false }).doNotDisturb).toBe(false);
  });
});

describe('three-way call membership', () => {
  const merged = run([...answered('a'), ...held('a'), ...answered('b'), { type: 'conferenceChange', callIds: ['b', 'a'] }]);

  it('merging puts both calls in the conference; no swap or second merge then', () => {
    expect(merged.conference).toEqual(['b', 'a']);
    expect(inConference(merged, 'a') && inConference(merged, 'b')).toBe(true);
    expect(merged.calls.map((call) => lineRole(merged, call))).toEqual(['conference', 'conference']);
    expect(lineSwapPair(merged)).toBeNull();
  });

  it('split empties it; so does one member ending, which leaves no conference of one', () => {
    const split = reduceCalls(merged, { type: 'conferenceChange', callIds: [] });
    expect(split.conference).toEqual([]);
    const ended = reduceCalls(merged, { type: 'callEnded', callId: 'a', reason: 'remote-hangup', at: 9000 });
    expect(ended.conference).toEqual([]);
    expect(ended.calls.map((call) => call.id)).toEqual(['b']);
  });

  it('ignores a conference naming calls the store does not have', () => {
    expect(reduceCalls(run(answered('a')), { type: 'conferenceChange', callIds: ['a', 'ghost'] }).conference).toEqual([]);
  });
});

/** A context that records the graph: which source feeds which destination. */
function recordingContext() {
  const edges: Array<[string, string]> = [];
  const stopped: string[] = [];
  let destinations = 0;
  let closed = false;
  const track = (name: string) => ({ name, kind: 'audio', stop: () => stopped.push(name) }) as unknown as MediaStreamTrack;
  const context: MixerContext = {
    createMediaStreamSource(stream) {
      const name = (stream as unknown as { name: string }).name;
      return {
        connect(destination: { name: string }) {
          edges.push([name, destination.name]);
        },
        disconnect() {
          edges.splice(0, edges.length, ...edges.filter(([from]) => from !== name));
        },
      } as unknown as AudioNode;
    },
    createMediaStreamDestination() {
      destinations += 1;
      const name = `mix${destinations}`;
      const mixed = track(name);
      return { name, stream: { getAudioTracks: () => [mixed] } } as unknown as MediaStreamAudioDestinationNode;
    },
    resume: () => Promise.resolve(),
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
  return { context, edges, stopped, closed: () => closed, track };
}

function leg(id: string, ownTrack: MediaStreamTrack, fail = false): ConferenceLeg & { readonly sent: () => string | null } {
  let current: MediaStreamTrack | null = ownTrack;
  return {
    id,
    remote: { name: `from-${id}` } as unknown as MediaStream,
    sender: {
      get track() {
        return current;
      },
      replaceTrack(next) {
        if (fail && next !== ownTrack) return Promise.reject(new Error('InvalidModificationError'));
        current = next;
        return Promise.resolve();
      },
    },
    sent: () => (current as unknown as { name: string } | null)?.name ?? null,
  };
}

describe('conference mixer', () => {
  it('sends each party our microphone and the other party, through replaceTrack, and puts the microphone back on stop', async () => {
    const rec = recordingContext();
    const a = leg('a', rec.track('mic-a'));
    const b = leg('b', rec.track('mic-b'));
    const mix = await startConferenceMix(rec.context, { name: 'mic' } as unknown as MediaStream, [a, b]);
    expect(mix.legIds).toEqual(['a', 'b']);
    expect([...rec.edges].sort()).toEqual([
      ['from-a', 'mix2'],
      ['from-b', 'mix1'],
      ['mic', 'mix1'],
      ['mic', 'mix2'],
    ]);
    expect(a.sent()).toBe('mix1');
    expect(b.sent()).toBe('mix2');
    await mix.stop();
    expect(a.sent()).toBe('mic-a');
    expect(b.sent()).toBe('mic-b');
    expect(rec.edges).toEqual([]);
    expect(rec.stopped.sort()).toEqual(['mix1', 'mix2']);
    expect(rec.closed()).toBe(true);
    await mix.stop();
  });

  it('a sender that refuses the mixed track leaves every call on its own microphone', async () => {
    const rec = recordingContext();
    const a = leg('a', rec.track('mic-a'));
    const b = leg('b', rec.track('mic-b'), true);
    await expect(startConferenceMix(rec.context, { name: 'mic' } as unknown as MediaStream, [a, b])).rejects.toThrow('InvalidModificationError');
    expect(a.sent()).toBe('mic-a');
    expect(b.sent()).toBe('mic-b');
    expect(rec.closed()).toBe(true);
  });

  it('needs two calls', async () => {
    const rec = recordingContext();
    await expect(startConferenceMix(rec.context, { name: 'mic' } as unknown as MediaStream, [leg('a', rec.track('mic-a'))])).rejects.toThrow(RangeError);
  });
});

describe('several calls: strings', () => {
  it('every English string has its French translation with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/{{(\w+)}}/g)].map((match) => match[1]).sort();
    for (const key of Object.keys(linesEn) as Array<keyof typeof linesEn>) {
      expect(linesFr[key], key).toBeTruthy();
      expect(placeholders(linesFr[key]), key).toEqual(placeholders(linesEn[key]));
    }
    expect(linesEn['lines.doNotDisturb']).toBe('Do not disturb');
    expect([linesEn['lines.swap'], linesEn['lines.merge'], linesEn['lines.split']]).toEqual(['Swap', 'Merge', 'Split']);
  });
});
