/**
 * Automatic-refill notices in the app (issue 10, sections 1 and 4), worded from the codes and values the
 * manager sends (never its sentences). Its own catalog beside wallet-en.ts; read with `useRefillT`.
 */
export const refillEn = {
  'refill.disabledAfter': 'Automatic refill turned itself off after {{declines}} declined payments in a row. Update the card in the manager, then turn it back on.',
  'refill.declinedRetry': 'The last automatic refill was declined ({{declines}} in a row). Next attempt {{at}}.',
  'refill.limitRetry': 'Automatic refill paused: the day’s limit of refills is reached. Next attempt {{at}}.',
  'refill.attempts': 'Automatic refill attempts',
  'refill.status.pending': 'In progress',
  'refill.status.succeeded': 'Added',
  'refill.status.declined': 'Declined',
  'refill.status.skipped_limit': 'Skipped (daily limit)',
  'refill.decline.card_declined': 'the card was declined',
  'refill.decline.insufficient_funds': 'the card has insufficient funds',
  'refill.decline.authentication_required': 'the bank asks for authentication',
  'refill.decline.no_card_on_file': 'no card is on file',
  'refill.decline.processing_error': 'the card processor failed',
  'refill.cause.debit': 'after a call',
  'refill.cause.charge': 'after a call',
  'refill.cause.reservation': 'during a call',
  'refill.cause.extension': 'during a call',
  'refill.cause.settings': 'settings saved',
  'refill.cause.retry': 'retry',
  'refill.cause.refill': 'still below the level',
  'refill.attempt': '{{status}} · {{cause}} · attempt {{attempt}}',
  'refill.attemptDeclined': '{{status}}: {{reason}} · {{cause}} · attempt {{attempt}}',
} as const;

export type RefillMessageKey = keyof typeof refillEn;
