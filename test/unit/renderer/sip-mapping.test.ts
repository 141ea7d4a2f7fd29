import { describe, expect, it } from 'vitest';
import { endReasonForBye, endReasonForStatus, outcomeForEnd } from '../../../renderer/src/sip/end-reason.js';
import { isDtmfTones, parseRetryAfter, registrationRejectionFor } from '../../../renderer/src/sip/registration-rejection.js';
import { fastReconnectCapMs, fastReconnectWindowMs, nextReconnectDelayMs } from '../../../renderer/src/sip/reconnect-schedule.js';

describe('SIP status mapping', () => {
  it('names the end of a failed INVITE', () => {
    expect(endReasonForStatus(486)).toBe('busy');
    expect(endReasonForStatus(600)).toBe('busy');
    expect(endReasonForStatus(603)).toBe('remote-declined');
    expect(endReasonForStatus(404)).toBe('not-found');
    expect(endReasonForStatus(480)).toBe('unavailable');
    expect(endReasonForStatus(408)).toBe('unavailable');
    expect(endReasonForStatus(487)).toBe('cancelled');
    expect(endReasonForStatus(500)).toBe('failed');
  });

  it('tells the proxy\'s cut for lack of funds (BYE Reason SIP;cause=402) from an ordinary hang-up', () => {
    expect(endReasonForBye(['SIP;cause=402;text="Call time limit reached"'])).toBe('funds-exhausted');
    expect(endReasonForBye(['Q.850;cause=16', 'sip ; cause = 402'])).toBe('funds-exhausted');
    expect(endReasonForBye(['Q.850;cause=16;text="Normal call clearing", SIP;cause=402'])).toBe('funds-exhausted');
    expect(endReasonForBye([])).toBe('remote-hangup');
    expect(endReasonForBye(['Q.850;cause=402'])).toBe('remote-hangup');
    expect(endReasonForBye(['SIP;cause=4020', 'SIP;text="cause=402"', 'SIP;cause=200'])).toBe('remote-hangup');
    // A revocation's BYE: the dialog module's 402 and the revoker's 403.
    expect(endReasonForBye(['SIP;cause=402;text="Call time limit reached"', 'SIP;cause=403;text="Account deactivated"'])).toBe('remote-hangup');
    expect(outcomeForEnd('outgoing', 'funds-exhausted', true)).toBe('answered');
  });

  it('gives every ended call a history outcome', () => {
    expect(outcomeForEnd('outgoing', 'remote-hangup', true)).toBe('answered');
    expect(outcomeForEnd('outgoing', 'cancelled', false)).toBe('cancelled');
    expect(outcomeForEnd('incoming', 'remote-cancelled', false)).toBe('missed');
    expect(outcomeForEnd('incoming', 'declined', false)).toBe('declined');
    expect(outcomeForEnd('outgoing', 'busy', false)).toBe('busy');
    expect(outcomeForEnd('outgoing', 'not-found', false)).toBe('failed');
    expect(outcomeForEnd('incoming', 'connection-lost', false)).toBe('missed');
  });

  it('stops registering only when the user must act', () => {
    expect(registrationRejectionFor(401)).toBe('credentials');
    expect(registrationRejectionFor(407)).toBe('credentials');
    expect(registrationRejectionFor(403)).toBe('forbidden');
    expect(registrationRejectionFor(503)).toBeNull();
    expect(registrationRejectionFor(408)).toBeNull();
  });

  it('reads Retry-After and accepts only DTMF characters', () => {
    expect(parseRetryAfter('5')).toBe(5);
    expect(parseRetryAfter(' 3 (busy);duration=10')).toBe(3);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(isDtmfTones('0123456789*#ABCD,')).toBe(true);
    expect(isDtmfTones('')).toBe(false);
    expect(isDtmfTones('1x')).toBe(false);
  });
});

describe('reconnect schedule', () => {
  const mid = (): number => 0.5;
  it('uses the shared backoff once the server has been gone for a while and no call is up', () => {
    const long = { callEstablished: false, sinceLostMs: fastReconnectWindowMs + 1, random: mid };
    expect(nextReconnectDelayMs({ ...long, attempt: 0 })).toBe(1000);
    expect(nextReconnectDelayMs({ ...long, attempt: 3 })).toBe(8000);
    expect(nextReconnectDelayMs({ ...long, attempt: 20 })).toBe(30_000);
  });

  it('never waits more than the fast cap right after a loss or during a call', () => {
    for (const attempt of [0, 1, 2, 3, 5, 50]) {
      for (const random of [() => 0, () => 0.5, () => 0.999]) {
        expect(nextReconnectDelayMs({ attempt, callEstablished: false, sinceLostMs: 10_000, random })).toBeLessThanOrEqual(fastReconnectCapMs);
        expect(nextReconnectDelayMs({ attempt, callEstablished: true, sinceLostMs: 10 * fastReconnectWindowMs, random })).toBeLessThanOrEqual(
          fastReconnectCapMs,
        );
      }
    }
    expect(nextReconnectDelayMs({ attempt: 0, callEstablished: true, sinceLostMs: 0, random: mid })).toBe(1000);
  });
});
