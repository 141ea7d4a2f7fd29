// The SIP proxy enforces the wallet too (402 when the Prepaid Account cannot pay, 403 when the call is not
// allowed); the app names both in plain words, in both languages.
import { describe, expect, it } from 'vitest';
import { en } from '../../../renderer/src/i18n/en.js';
import { fr } from '../../../renderer/src/i18n/fr.js';
import { walletEn } from '../../../renderer/src/i18n/wallet-en.js';
import { walletFr } from '../../../renderer/src/i18n/wallet-fr.js';
import { endReasonForStatus, outcomeForEnd } from '../../../renderer/src/sip/end-reason.js';

describe('SIP refusals from the proxy', () => {
  it('maps 402 and 403 to their own reasons, failed calls in the history', () => {
    expect(endReasonForStatus(402)).toBe('payment-required');
    expect(endReasonForStatus(403)).toBe('refused');
    expect(outcomeForEnd('outgoing', 'payment-required', false)).toBe('failed');
    expect(outcomeForEnd('outgoing', 'refused', false)).toBe('failed');
  });

  it('names a blocked high-risk destination from the proxy’s X-Cabine-Refusal header, and trusts nothing else', () => {
    expect(endReasonForStatus(403, 'class_blocked')).toBe('class-blocked');
    expect(endReasonForStatus(403, ' class_blocked ')).toBe('class-blocked');
    expect(endReasonForStatus(403, 'barred')).toBe('refused');
    expect(endReasonForStatus(403, '<script>')).toBe('refused');
    expect(endReasonForStatus(402, 'class_blocked')).toBe('payment-required');
    expect(outcomeForEnd('outgoing', 'class-blocked', false)).toBe('failed');
    expect(en['end.class-blocked']).toContain('An admin can allow high-risk destinations');
    expect(fr['end.class-blocked']).toContain('destinations à risque');
    expect(walletEn['refused.class-blocked']).toBe(en['end.class-blocked']);
    expect(walletFr['refused.class-blocked']).toBe(fr['end.class-blocked']);
  });

  it('explains them in English and French', () => {
    expect(en['end.payment-required']).toContain('Prepaid Account');
    expect(fr['end.payment-required']).toContain('Compte prépayé');
    expect(fr['end.refused']).toContain('refusé');
  });
});
