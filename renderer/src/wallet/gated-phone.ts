/**
 * The phone as the UI sees it once the wallet is in play: the same commands, with the call gate in front
 * of `dial`. The emergency check is the first statement of `dial`, synchronous, and calls the real phone
 * directly: no wallet code runs before an emergency call is placed (see emergency-bypass.ts).
 */
import type { Phone } from '../phone.js';
import { isEmergencyDial } from './emergency-bypass.js';
import type { Wallet } from './wallet-controller.js';

export function createGatedPhone(phone: Phone, wallet: Pick<Wallet, 'requestCall'>): Phone {
  return {
    ...phone,
    dial(input) {
      if (isEmergencyDial(input, phone.settings.getState().settings.defaultCountry)) return phone.dial(input);
      return wallet.requestCall(input, (number) => phone.dial(number));
    },
  };
}
