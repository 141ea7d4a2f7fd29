/**
 * The app words refill notices from the manager's codes in the UI language (issue 10, section 4): every
 * key in both catalogs, placeholders filled, French for fr-*, English otherwise.
 */
import { describe, expect, it } from 'vitest';
import { declineCodeSchema, refillAttemptSchema } from '../../../shared/api/wallet-schemas.js';
import { refillEn } from '../../../renderer/src/i18n/refill-en.js';
import { refillFr } from '../../../renderer/src/i18n/refill-fr.js';
import { refillText } from '../../../renderer/src/i18n/use-refill-t.js';

describe('refill notices in the app', () => {
  it('has every decline code, status and cause the manager can send, in both languages', () => {
    const keys = Object.keys(refillEn);
    for (const code of declineCodeSchema.options) expect(keys).toContain(`refill.decline.${code}`);
    for (const status of refillAttemptSchema.shape.status.options) expect(keys).toContain(`refill.status.${status}`);
    for (const cause of refillAttemptSchema.shape.cause.options) expect(keys).toContain(`refill.cause.${cause}`);
    expect(Object.keys(refillFr).sort()).toEqual(keys.sort());
    for (const key of keys) expect(refillFr[key as keyof typeof refillFr]).not.toBe('');
  });

  it('fills the values in the UI language', () => {
    expect(refillText('fr', 'refill.disabledAfter', { declines: 4 })).toBe('La recharge automatique s’est désactivée après 4 paiements refusés de suite. Mettez la carte à jour dans le gestionnaire, puis réactivez-la.');
    expect(refillText('fr-CA', 'refill.declinedRetry', { declines: 2, at: '10:00' })).toContain('(2 de suite). Prochaine tentative 10:00.');
    expect(refillText('en', 'refill.declinedRetry', { declines: 2, at: '10:00' })).toBe('The last automatic refill was declined (2 in a row). Next attempt 10:00.');
    expect(refillText('de', 'refill.status.declined')).toBe('Declined');
  });
});
