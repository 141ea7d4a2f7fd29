/**
 * English strings of the monthly budget and the call receipts (budget-left.tsx, call-receipt-dialog.tsx).
 * Merged into the app's resources in i18n.ts; `budget-fr.ts` must translate every key (the type enforces it).
 */
export const budgetEn = {
  'budget.left': 'Your monthly budget for calls: {{left}} left of {{budget}}, until {{resets}}.',
  'budget.spent': 'Spent this month: {{spent}}.',
  'budget.gateLeft': 'Your monthly budget leaves',
  'receipt.open': 'Receipt',
  'receipt.openFor': 'Receipt for the call to {{number}}',
  'receipt.title': 'Call receipt',
  'receipt.loading': 'Loading the receipt…',
  'receipt.unavailable': 'The receipt cannot be shown right now. Try again in a moment.',
  'receipt.date': 'Date',
  'receipt.caller': 'Caller',
  'receipt.number': 'Number called',
  'receipt.destination': 'Destination',
  'receipt.rate': 'Rate per minute',
  'receipt.connectionFee': 'Connection fee',
  'receipt.increments': 'Billing increments',
  'receipt.incrementsValue': '{{increment}}: first {{first}} s, then every {{next}} s',
  'receipt.answered': 'Talk time',
  'receipt.billed': 'Billed time',
  'receipt.seconds': '{{seconds}} s',
  'receipt.arithmetic': 'How the price is worked out',
  'receipt.arithmeticValue': '{{fee}} + {{rate}} × {{billed}} s ÷ 60 = {{computed}}',
  'receipt.price': 'Price',
  'receipt.deck': 'Rate deck',
  'receipt.close': 'Close',
} as const;

export type BudgetMessageKey = keyof typeof budgetEn;
