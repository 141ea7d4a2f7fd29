// The app's side of a transfer (renderer/src/sip/call-transfer.ts): which REFER it follows (only one the
// proxy bound, on a call in conversation, toward our domain), what the INVITE it places carries, which
// INVITE with Replaces it takes over a call for; the consultation bookkeeping; and the placer's transfer
// gate (the same decision as dialling).
import { Grammar, type Invitation, type Referral } from 'sip.js';
import { describe, expect, it, vi } from 'vitest';
import { dialIntentFor, type DialIntent } from '../../../shared/dial/dial-intent.js';
import { createCallPlacer, type CallDialer } from '../../../renderer/src/calling/call-placer.js';
import { withConsult, withoutConsult } from '../../../renderer/src/calling/consult-calls.js';
import { callInfo, newEntry, type CallEntry, type CallSessions } from '../../../renderer/src/sip/call-entry.js';
import { followReferral, referredCall, replacementOf } from '../../../renderer/src/sip/call-transfer.js';

const domain = 'cabine.test';
const token = '0123456789abcdef0123456789abcdef';

function entry(remoteUser = '1002', dialog?: { callId: string; localTag: string; remoteTag: string }): CallEntry {
  const session = { userAgent: { configuration: { uri: { host: domain } } }, dialog };
  const call = newEntry(callInfo(`call-${remoteUser}`, 'incoming', remoteUser, remoteUser, dialog?.callId ?? 'x@y'), session as never);
  call.state = 'established';
  return call;
}

function referral(referTo: string, referredBy?: string) {
  const answers: number[] = [];
  const fake = {
    get referTo() {
      const parsed = Grammar.nameAddrHeaderParse(referTo);
      if (parsed === undefined) throw new Error('Failed to parse Refer-To header.');
      return parsed;
    },
    referredBy,
    accept: (options?: { statusCode?: number; extraHeaders?: string[] }) => {
      answers.push(options?.statusCode ?? 202);
      return Promise.resolve();
    },
    reject: (options?: { statusCode?: number }) => {
      answers.push(options?.statusCode ?? 0);
      return Promise.resolve();
    },
  } as unknown as Referral;
  return { referral: fake, answers };
}

describe('which REFER the transferee follows', () => {
  it('a REFER the proxy bound: the URI as marked (no URI headers), its target and the proxy\'s Referred-By', () => {
    const { referral: refer } = referral(`<sip:1003@${domain};cabine-xfer=${token}>`, `<sip:1002@${domain}>`);
    const call = referredCall(entry(), refer, domain);
    expect(call?.uri.toString()).toBe(`sip:1003@${domain};cabine-xfer=${token}`);
    expect(call?.target).toEqual({ kind: 'extension', extension: '1003' });
    expect(call?.extraHeaders).toEqual([`Referred-By: <sip:1002@${domain}>`]);
  });

  it('an attended transfer: Replaces (decoded) goes into the INVITE, the URI keeps no header', () => {
    const { referral: refer } = referral(`<sip:1003@${domain};cabine-xfer=${token}?Replaces=abc%3Bto-tag%3Dt1%3Bfrom-tag%3Df1>`, `<sip:1002@${domain}>`);
    const call = referredCall(entry(), refer, domain);
    expect(call?.uri.toString()).toBe(`sip:1003@${domain};cabine-xfer=${token}`);
    expect(call?.extraHeaders).toEqual([`Referred-By: <sip:1002@${domain}>`, 'Replaces: abc;to-tag=t1;from-tag=f1']);
  });

  it('a paid number: an E.164 target', () => {
    const { referral: refer } = referral(`<sip:+13405550100@${domain};cabine-xfer=${token}>`);
    expect(referredCall(entry(), refer, domain)?.target).toEqual({ kind: 'phone', e164: '+13405550100', country: undefined, display: '+13405550100' });
  });

  it.each([
    ['no proxy mark', `<sip:+33899123456@${domain}>`],
    ['a mark of the wrong shape', `<sip:1003@${domain};cabine-xfer=xyz>`],
    ['another domain', `<sip:1003@evil.example;cabine-xfer=${token}>`],
    ['a user that is no number', `<sip:attacker@${domain};cabine-xfer=${token}>`],
    ['Replaces toward an outside number', `<sip:+13405550100@${domain};cabine-xfer=${token}?Replaces=abc%3Bto-tag%3Dt%3Bfrom-tag%3Df>`],
    ['an unparseable Refer-To', '<<<'],
  ])('refuses %s', (_what, referTo) => {
    expect(referredCall(entry(), referral(referTo).referral, domain)).toBeNull();
  });

  it('refuses on a call not in conversation, and drops a Referred-By that is not a plain extension URI', () => {
    const ringing = entry();
    ringing.state = 'incoming';
    const marked = `<sip:1003@${domain};cabine-xfer=${token}>`;
    expect(referredCall(ringing, referral(marked).referral, domain)).toBeNull();
    expect(referredCall(entry(), referral(marked, '<sip:1002@cabine.test>\r\nVia: x').referral, domain)?.extraHeaders).toEqual([]);
  });

  it('followReferral: 603 and nothing placed for an unmarked REFER; 202 and one call placed for a marked one', () => {
    const sessions: CallSessions = { context: { now: () => 0, random: () => 0, emit: () => undefined }, calls: new Map() };
    const call = entry();
    const place = vi.fn(() => null);
    const unmarked = referral(`<sip:+33899123456@${domain}>`);
    followReferral(sessions, call, unmarked.referral, place);
    expect(unmarked.answers).toEqual([603]);
    expect(place).not.toHaveBeenCalled();
    const marked = referral(`<sip:1003@${domain};cabine-xfer=${token}>`, `<sip:1002@${domain}>`);
    followReferral(sessions, call, marked.referral, place);
    expect(marked.answers).toEqual([202]);
    expect(place).toHaveBeenCalledOnce();
  });
});

describe('an INVITE with Replaces at the transfer target', () => {
  const consult = entry('1002', { callId: 'consult-1', localTag: 'ours', remoteTag: 'theirs' });
  const sessions: CallSessions = { context: { now: () => 0, random: () => 0, emit: () => undefined }, calls: new Map([[consult.info.id, consult]]) };
  const invitation = (headers: Record<string, string>) => ({ request: { getHeader: (name: string) => headers[name.toLowerCase()] } }) as unknown as Invitation;

  it('replaces our call in conversation with the transferor the proxy named', () => {
    const replacement = replacementOf(sessions, invitation({ replaces: 'consult-1;to-tag=ours;from-tag=theirs', 'referred-by': `<sip:1002@${domain}>` }));
    expect(replacement).toEqual({ kind: 'replaces', entry: consult });
  });

  it('481 for no such call (or tags the other way round), 403 when the transferor is somebody else, none without the header', () => {
    expect(replacementOf(sessions, invitation({ replaces: 'consult-1;to-tag=theirs;from-tag=ours', 'referred-by': `<sip:1002@${domain}>` }))).toEqual({ kind: 'refused', statusCode: 481 });
    expect(replacementOf(sessions, invitation({ replaces: 'other;to-tag=ours;from-tag=theirs' }))).toEqual({ kind: 'refused', statusCode: 481 });
    expect(replacementOf(sessions, invitation({ replaces: 'consult-1;to-tag=ours;from-tag=theirs', 'referred-by': `<sip:1009@${domain}>` }))).toEqual({ kind: 'refused', statusCode: 403 });
    expect(replacementOf(sessions, invitation({ replaces: 'consult-1;to-tag=ours;from-tag=theirs' }))).toEqual({ kind: 'refused', statusCode: 403 });
    expect(replacementOf(sessions, invitation({}))).toEqual({ kind: 'none' });
  });
});

describe('consultation calls', () => {
  it('remembers the new one even before the calls store has it, and forgets ended ones', () => {
    const first = withConsult(new Map(), 'c1', 'a1', new Set());
    expect([...first]).toEqual([['c1', 'a1']]);
    const second = withConsult(first, 'c2', 'a2', new Set(['a2']));
    expect([...second]).toEqual([['c2', 'a2']]);
    expect(withoutConsult(second, 'c2').size).toBe(0);
    expect(withoutConsult(second, 'nope')).toBe(second);
  });
});

describe('the placer\'s transfer gate', () => {
  const fr = { dialCountry: 'FR', callerCountry: 'FR' } as const;
  const intent = (input: string): DialIntent => {
    const result = dialIntentFor(input, fr);
    if (!result.ok) throw new Error(input);
    return result.intent;
  };
  const dialer = (): CallDialer & { calls: number } => {
    const fake = { calls: 0, call: () => ((fake.calls += 1), 'id'), prepareCall: () => undefined };
    return fake;
  };

  it('asks the same gate as a dial, dials nothing, and tells the gate no call of ours follows', async () => {
    const notPlaced = vi.fn();
    const admit = vi.fn(() => Promise.resolve({ go: true as const, notPlaced }));
    const adapter = dialer();
    const placer = createCallPlacer({ dialer: adapter, gate: { admit, preview: () => undefined }, place: () => fr });
    expect(await placer.admitTransfer(intent('+1 340 555 0100'))).toBe(true);
    expect(admit).toHaveBeenCalledOnce();
    expect(notPlaced).toHaveBeenCalledOnce();
    expect(adapter.calls).toBe(0);
  });

  it('no when the gate says stop or fails; an emergency number needs no gate', async () => {
    const adapter = dialer();
    const stop = createCallPlacer({ dialer: adapter, gate: { admit: () => Promise.resolve({ go: false }), preview: () => undefined }, place: () => fr });
    expect(await stop.admitTransfer(intent('+33 8 99 12 34 56'))).toBe(false);
    const broken = createCallPlacer({ dialer: adapter, gate: { admit: () => Promise.reject(new Error('down')), preview: () => undefined }, place: () => fr });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await broken.admitTransfer(intent('+33 8 99 12 34 56'))).toBe(false);
    const admit = vi.fn();
    const emergency = createCallPlacer({ dialer: adapter, gate: { admit, preview: () => undefined }, place: () => fr });
    expect(await emergency.admitTransfer(intent('112'))).toBe(true);
    expect(admit).not.toHaveBeenCalled();
    expect(adapter.calls).toBe(0);
  });
});
