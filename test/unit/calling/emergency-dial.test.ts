// Emergency calls bypass the wallet structurally: the dial intent recognises them on the raw string, and
// the call placer dials them in place()'s first statement, synchronously, before any gate code runs.
import { describe, expect, it, vi } from 'vitest';
import { dialIntentFor } from '../../../shared/dial/dial-intent.js';
import { isEmergencyDial } from '../../../shared/dial/emergency-dial.js';
import { createCallPlacer, type CallGate } from '../../../renderer/src/calling/call-placer.js';

/** A gate that throws, as a broken or signed-out wallet might: it must never be reached. */
const brokenGate: CallGate = {
  admit: vi.fn(() => {
    throw new Error('wallet code ran before an emergency call');
  }),
  preview: vi.fn(),
};

describe('emergency numbers', () => {
  it.each(['112', '15', '17', '18', '114', '115', '119', '191', '196', '197', '116000', '116117', ' 1 1 2 ', '11-2'])('FR %s is an emergency number', (dialed) => {
    expect(isEmergencyDial(dialed, 'FR')).toBe(true);
  });

  it.each([['GB', '999'], ['GB', '112'], ['US', '911'], ['US', '112'], ['DE', '112']])('%s %s is an emergency number', (country, dialed) => {
    expect(isEmergencyDial(dialed, country)).toBe(true);
  });

  it.each(['0899123456', '+16502530000', '1002', '118712', '3900', '999'])('FR %s is not', (dialed) => {
    expect(isEmergencyDial(dialed, 'FR')).toBe(false);
  });

  it('follow the dialer’s country (999 in the United Kingdom), dialled before dial() returns', () => {
    const dialled: string[] = [];
    const placer = createCallPlacer({
      dialer: {
        call: (intent) => {
          dialled.push(intent.dialed);
          return 'call-1';
        },
        prepareCall: () => undefined,
      },
      gate: brokenGate,
      place: () => ({ dialCountry: 'GB', callerCountry: 'FR' }),
    });
    for (const number of ['999', '112', '15']) {
      const result = placer.intentFor(number);
      if (!result.ok) throw new Error(`${number} is not callable`);
      void placer.place(result.intent);
    }
    expect(dialled).toEqual(['999', '112', '15']);
    expect(brokenGate.admit).not.toHaveBeenCalled();
  });

  it('every other number goes through the gate', () => {
    const admit = vi.fn(() => Promise.resolve({ go: false } as const));
    const placer = createCallPlacer({ dialer: { call: () => 'call-1', prepareCall: () => undefined }, gate: { admit, preview: () => undefined }, place: () => ({ dialCountry: 'FR', callerCountry: 'FR' }) });
    const result = dialIntentFor('0899123456', { dialCountry: 'FR', callerCountry: 'FR' });
    if (!result.ok) throw new Error('0899123456 is not callable');
    void placer.place(result.intent);
    expect(admit).toHaveBeenCalledOnce();
  });
});
