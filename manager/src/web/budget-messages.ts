import type { Language } from './i18n';

/**
 * Wording of the monthly-budget page and the call receipts, in English and French (kept beside the shared
 * catalog, i18n.ts, so these features add their own keys; `fr` must translate every key: the type says so).
 */
const en = {
  budgets: 'Budgets',
  budgetsTitle: 'Monthly budgets',
  budgetsHelp: 'Most each person’s calls may cost per calendar month (UTC), on top of the Prepaid Account’s balance and the daily cap. Leave the field empty for no budget. Calls in progress keep the time they were given.',
  person: 'Person',
  extension: 'Extension',
  monthlyBudget: 'Monthly budget',
  spentThisMonth: 'Spent this month',
  inProgress: 'Held by calls in progress',
  left: 'Left',
  noBudget: 'No budget',
  resets: 'Resets on',
  setBudget: 'Save',
  yourBudget: 'Your monthly budget',
  budgetSaved: 'The budget was saved.',
  budgetInvalid: 'Enter an amount such as 20 or 20.50 (at most 1,000,000), or leave the field empty for no budget.',
  callReceipt: 'Call receipt',
  callReceipts: 'Call receipts',
  receiptCaller: 'Caller',
  receiptNumber: 'Number called',
  receiptDestination: 'Destination',
  receiptRate: 'Rate per minute',
  receiptConnectionFee: 'Connection fee',
  receiptIncrements: 'Billing increments',
  receiptIncrementsValue: 'first {first} s, then every {next} s',
  receiptAnswered: 'Talk time',
  receiptBilled: 'Billed time',
  receiptSeconds: '{seconds} s',
  receiptPrice: 'Price',
  receiptDeck: 'Rate deck',
  receiptDate: 'Date',
  receiptArithmetic: 'How the price is worked out',
  receiptBack: 'Back to the activity',
  viewReceipt: 'Receipt',
};

export type BudgetMessages = typeof en;

const fr: BudgetMessages = {
  budgets: 'Budgets',
  budgetsTitle: 'Budgets mensuels',
  budgetsHelp: 'Le montant maximal que les appels de chaque personne peuvent coûter par mois calendaire (UTC), en plus du solde du Compte prépayé et du plafond quotidien. Laissez le champ vide pour aucun budget. Les appels en cours gardent la durée qui leur a été accordée.',
  person: 'Personne',
  extension: 'Poste',
  monthlyBudget: 'Budget mensuel',
  spentThisMonth: 'Dépensé ce mois-ci',
  inProgress: 'Réservé par les appels en cours',
  left: 'Reste',
  noBudget: 'Aucun budget',
  resets: 'Remis à zéro le',
  setBudget: 'Enregistrer',
  yourBudget: 'Votre budget mensuel',
  budgetSaved: 'Le budget a été enregistré.',
  budgetInvalid: 'Saisissez un montant comme 20 ou 20,50 (1 000 000 au plus), ou laissez le champ vide pour aucun budget.',
  callReceipt: 'Reçu d’appel',
  callReceipts: 'Reçus d’appels',
  receiptCaller: 'Appelant',
  receiptNumber: 'Numéro appelé',
  receiptDestination: 'Destination',
  receiptRate: 'Tarif par minute',
  receiptConnectionFee: 'Frais de connexion',
  receiptIncrements: 'Paliers de facturation',
  receiptIncrementsValue: 'première tranche {first} s, puis par {next} s',
  receiptAnswered: 'Durée de conversation',
  receiptBilled: 'Durée facturée',
  receiptSeconds: '{seconds} s',
  receiptPrice: 'Prix',
  receiptDeck: 'Grille tarifaire',
  receiptDate: 'Date',
  receiptArithmetic: 'Détail du calcul',
  receiptBack: 'Retour à l’activité',
  viewReceipt: 'Reçu',
};

export const budgetMessages: Readonly<Record<Language, BudgetMessages>> = { en, fr };

/** Fills `{name}` placeholders (values are escaped later, by the html template). */
export function fill(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in values ? String(values[name]) : match));
}
