import { createHash } from 'node:crypto';
import type { DeclineCode } from '../../../shared/api/wallet-schemas';
import type { CardInput, ChargeRequest, ChargeResult, PaymentProvider, TokenizedCard } from './payment-provider';
import { CardRejectedError } from './payment-provider';

type Behaviour = 'approved' | DeclineCode;

/**
 * Test cards of the sandbox processor. The numbers follow the conventions of public card-processor
 * sandboxes so they are familiar; any expiry in the future and any 3-4 digit CVC work.
 */
export const sandboxTestCards: ReadonlyArray<{ readonly number: string; readonly brand: string; readonly behaviour: Behaviour; readonly label: string }> = [
  { number: '4242424242424242', brand: 'Visa', behaviour: 'approved', label: 'approved' },
  { number: '5555555555554444', brand: 'Mastercard', behaviour: 'approved', label: 'approved' },
  { number: '4000000000000002', brand: 'Visa', behaviour: 'card_declined', label: 'declined' },
  { number: '4000000000009995', brand: 'Visa', behaviour: 'insufficient_funds', label: 'insufficient funds' },
  { number: '4000002760003184', brand: 'Visa', behaviour: 'authentication_required', label: 'authentication required (3-D Secure)' },
  { number: '4000000000000119', brand: 'Visa', behaviour: 'processing_error', label: 'processing error' },
];

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * A card processor that moves no money. Outcomes depend only on the test card, so a charge retried with
 * the same idempotency key (after a crash, say) always gets the same answer, as a real processor's
 * idempotency guarantees. Authentication-required cards are declined: the sandbox has no 3-D Secure page,
 * and an automatic refill could never complete one anyway.
 */
export class SandboxCardProcessor implements PaymentProvider {
  readonly name = 'sandbox';

  tokenizeCard(card: CardInput): Promise<TokenizedCard> {
    const number = card.number.replace(/\s/g, '');
    const testCard = sandboxTestCards.find((candidate) => candidate.number === number);
    if (!/^\d{12,19}$/.test(number) || !luhnValid(number)) return Promise.reject(new CardRejectedError('invalid card number'));
    if (!testCard) return Promise.reject(new CardRejectedError('not a sandbox test card; see docs/manager.md'));
    const now = new Date();
    if (card.expYear < now.getUTCFullYear() || (card.expYear === now.getUTCFullYear() && card.expMonth < now.getUTCMonth() + 1)) {
      return Promise.reject(new CardRejectedError('card expired'));
    }
    return Promise.resolve({
      token: `sbx_${testCard.behaviour}_${number.slice(-4)}`,
      brand: testCard.brand,
      last4: number.slice(-4),
      expMonth: card.expMonth,
      expYear: card.expYear,
    });
  }

  charge(request: ChargeRequest): Promise<ChargeResult> {
    const behaviour = /^sbx_([a-z_]+)_\d{4}$/.exec(request.cardToken)?.[1];
    const reference = `sbx_ch_${createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 24)}`;
    if (behaviour === 'approved') return Promise.resolve({ status: 'approved', reference });
    const known: readonly string[] = ['card_declined', 'insufficient_funds', 'authentication_required', 'processing_error'];
    return Promise.resolve({ status: 'declined', code: (behaviour && known.includes(behaviour) ? behaviour : 'card_declined') as DeclineCode });
  }

  refund(request: { idempotencyKey: string }): Promise<{ reference: string }> {
    return Promise.resolve({ reference: `sbx_re_${createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 24)}` });
  }
}
