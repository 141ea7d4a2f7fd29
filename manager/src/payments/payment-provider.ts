import type { DeclineCode } from '../../../shared/api/wallet-schemas';
import type { CurrencyCode } from '../../../shared/money/currency';

/** Card details as typed by an admin; they go to the provider and are never stored by the manager. */
export interface CardInput {
  readonly number: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly cvc: string;
}

/** What the manager keeps about a card: the provider's token and what a person needs to recognise it. */
export interface TokenizedCard {
  readonly token: string;
  readonly brand: string;
  readonly last4: string;
  readonly expMonth: number;
  readonly expYear: number;
}

export interface ChargeRequest {
  /** The provider must apply a given key at most once and replay its result (as Stripe does). */
  readonly idempotencyKey: string;
  readonly cardToken: string;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly description: string;
}

export type ChargeResult =
  | { readonly status: 'approved'; readonly reference: string }
  | { readonly status: 'declined'; readonly code: DeclineCode };

/** Thrown by `tokenizeCard` for a card the provider refuses to store. */
export class CardRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CardRejectedError';
  }
}

/**
 * The seam between the ledger and whoever moves real money. The ledger only ever sees approved/declined
 * results, so a real processor replaces the sandbox without touching it.
 */
export interface PaymentProvider {
  readonly name: string;
  tokenizeCard(card: CardInput): Promise<TokenizedCard>;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: { idempotencyKey: string; chargeReference: string; amountMinor: number; currency: CurrencyCode }): Promise<{ reference: string }>;
}
