// Emergency calls bypass the wallet structurally: the gated phone's dial routes them to the real phone
// before any wallet code runs, synchronously, whatever state the wallet is in.
import { describe, expect, it, vi } from 'vitest';
import type { DialTarget } from '../../../shared/dial/dial-string.js';
import { defaultSettings } from '../../../shared/settings.js';
import type { Phone } from '../../../renderer/src/phone.js';
import { createStore } from '../../../renderer/src/state/store.js';
import { initialSettingsState } from '../../../renderer/src/state/settings-store.js';
import { isEmergencyDial } from '../../../renderer/src/wallet/emergency-bypass.js';
import { createGatedPhone } from '../../../renderer/src/wallet/gated-phone.js';

function fakePhone(country: 'FR' | 'GB' = 'FR') {
  const dialled: string[] = [];
  const settings = createStore({ ...initialSettingsState, settings: { ...defaultSettings, defaultCountry: country } });
  const phone = {
    settings,
    dial: vi.fn((input: string): DialTarget => {
      dialled.push(input);
      return { kind: 'short-code', digits: input };
    }),
  } as unknown as Phone;
  return { phone, dialled };
}

describe('emergency bypass', () => {
  it.each(['112', '15', '17', '18', '114', '115', '119', '191', '196', '197', '116000', '116117', ' 1 1 2 ', '11-2'])('FR %s is an emergency number', (dialed) => {
    expect(isEmergencyDial(dialed, 'FR')).toBe(true);
  });

  it.each([['GB', '999'], ['GB', '112'], ['US', '911'], ['US', '112'], ['DE', '112']])('%s %s is an emergency number', (country, dialed) => {
    expect(isEmergencyDial(dialed, country)).toBe(true);
  });

  it.each(['0899123456', '+16502530000', '1002', '118712', '3900', '999'])('FR %s is not', (dialed) => {
    expect(isEmergencyDial(dialed, 'FR')).toBe(false);
  });

  it('dials emergency numbers straight away, synchronously, without touching the wallet', () => {
    const { phone, dialled } = fakePhone();
    // A wallet that throws, as a broken or signed-out wallet might: it must never be reached.
    const requestCall = vi.fn(() => {
      throw new Error('wallet code ran before an emergency call');
    });
    const gated = createGatedPhone(phone, { requestCall });
    for (const number of ['112', '15', '17', '18', '116117']) gated.dial(number);
    // Synchronous: placed before dial() returned, no await in between.
    expect(dialled).toEqual(['112', '15', '17', '18', '116117']);
    expect(requestCall).not.toHaveBeenCalled();
  });

  it('follows the caller’s country setting (999 in the United Kingdom)', () => {
    const { phone, dialled } = fakePhone('GB');
    const requestCall = vi.fn();
    createGatedPhone(phone, { requestCall }).dial('999');
    expect(dialled).toEqual(['999']);
    expect(requestCall).not.toHaveBeenCalled();
  });

  it('sends every other number through the wallet', () => {
    const { phone, dialled } = fakePhone();
    const requestCall = vi.fn((): DialTarget => ({ kind: 'short-code', digits: '0899123456' }));
    createGatedPhone(phone, { requestCall }).dial('0899123456');
    expect(requestCall).toHaveBeenCalledOnce();
    expect(dialled).toEqual([]);
  });
});
