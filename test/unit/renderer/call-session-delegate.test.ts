// What keeps a finished call from living on in the page (issue 9, renderer heap flat over 100 calls): the
// BYE is answered (renderer/src/sip/call-sessions.ts callSessionDelegate), the strings the app keeps are
// copies (call-entry.ts callInfo), and the history renders a window of its records (history-store.ts).
import { describe, expect, it } from 'vitest';
import type { Bye } from 'sip.js';
import type { CallRecord } from '../../../shared/call-record.js';
import { callInfo, detachedCopy, newEntry } from '../../../renderer/src/sip/call-entry.js';
import { callSessionDelegate } from '../../../renderer/src/sip/call-sessions.js';
import { historyPageSize, historyWindow } from '../../../renderer/src/state/history-store.js';

function entry() {
  return newEntry(callInfo('call-1', 'incoming', '1001', 'Alice', 'abc@host'), {} as never);
}

function fakeBye(outcome: 'accepted' | 'fails') {
  const calls: string[] = [];
  const bye = {
    // A BYE without a Reason header: an ordinary hang-up by the other party.
    request: { getHeaders: () => [] },
    accept: () => {
      calls.push('accept');
      return outcome === 'accepted' ? Promise.resolve() : Promise.reject(new Error('transport closed'));
    },
    reject: () => {
      calls.push('reject');
      return Promise.resolve();
    },
  } as unknown as Bye;
  return { bye, calls };
}

describe('a call ended by the other side', () => {
  it('answers the BYE 200 (SIP.js leaves it to a delegate with onBye) and records the remote hang-up', () => {
    const call = entry();
    const { bye, calls } = fakeBye('accepted');
    callSessionDelegate(call, () => 0).onBye?.(bye);
    expect(calls).toEqual(['accept']);
    expect(call.endReason).toBe('remote-hangup');
  });

  it('keeps the reason it already had, and a failed 200 is no error', async () => {
    const call = entry();
    call.endReason = 'local-hangup';
    const { bye, calls } = fakeBye('fails');
    callSessionDelegate(call, () => 0).onBye?.(bye);
    await Promise.resolve();
    expect(calls).toEqual(['accept']);
    expect(call.endReason).toBe('local-hangup');
  });

  it('notes when the other side re-INVITEs', () => {
    const call = entry();
    callSessionDelegate(call, () => 1234).onInvite?.({} as never, {} as never, 200);
    expect(call.remoteReinviteAt).toBe(1234);
  });
});

describe('strings kept from SIP messages', () => {
  it('are equal copies', () => {
    const invite = 'INVITE sip:1002@cabine.test SIP/2.0\r\nCall-ID: 8f3a-éè@host\r\n';
    const callId = invite.slice(invite.indexOf('Call-ID: ') + 9, invite.lastIndexOf('\r\n'));
    expect(detachedCopy(callId)).toBe('8f3a-éè@host');
    expect(detachedCopy('')).toBe('');
    const info = callInfo('id', 'incoming', callId, 'Bob 🙂', callId);
    expect(info).toEqual({ id: 'id', direction: 'incoming', remoteUser: callId, remoteDisplay: 'Bob 🙂', remoteNumber: callId, sipCallId: callId });
  });
});

describe('history window', () => {
  const records = Array.from({ length: 60 }, (_, i): CallRecord => ({
    id: `r${i}`,
    direction: 'outgoing',
    number: '1002',
    startedAt: '2026-01-02T10:00:00.000Z',
    durationSeconds: i,
    outcome: 'answered',
  }));

  it('shows the newest first and counts the older ones', () => {
    const { rows, older } = historyWindow(records, historyPageSize);
    expect(rows).toHaveLength(historyPageSize);
    expect(rows[0]?.id).toBe('r59');
    expect(rows.at(-1)?.id).toBe(`r${60 - historyPageSize}`);
    expect(older).toBe(60 - historyPageSize);
  });

  it('shows all of them once asked for enough, and copes with nonsense', () => {
    expect(historyWindow(records, 1000)).toEqual({ rows: [...records].reverse(), older: 0 });
    expect(historyWindow(records, -3)).toEqual({ rows: [], older: 60 });
    expect(historyWindow(records, Number.NaN).older).toBe(60);
    expect(historyWindow([], historyPageSize)).toEqual({ rows: [], older: 0 });
  });
});
