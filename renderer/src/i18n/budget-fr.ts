import type { BudgetMessageKey } from './budget-en.js';

/** French strings of the monthly budget and the call receipts; every key of budget-en.ts. */
export const budgetFr: Record<BudgetMessageKey, string> = {
  'budget.left': 'Votre budget mensuel d’appels : il reste {{left}} sur {{budget}}, jusqu’au {{resets}}.',
  'budget.spent': 'Dépensé ce mois-ci : {{spent}}.',
  'budget.gateLeft': 'Il reste sur votre budget mensuel',
  'receipt.open': 'Reçu',
  'receipt.openFor': 'Reçu de l’appel vers le {{number}}',
  'receipt.title': 'Reçu d’appel',
  'receipt.loading': 'Chargement du reçu…',
  'receipt.unavailable': 'Le reçu ne peut pas être affiché pour le moment. Réessayez dans un instant.',
  'receipt.date': 'Date',
  'receipt.caller': 'Appelant',
  'receipt.number': 'Numéro appelé',
  'receipt.destination': 'Destination',
  'receipt.rate': 'Tarif par minute',
  'receipt.connectionFee': 'Frais de connexion',
  'receipt.increments': 'Paliers de facturation',
  'receipt.incrementsValue': '{{increment}} : première tranche {{first}} s, puis par {{next}} s',
  'receipt.answered': 'Durée de conversation',
  'receipt.billed': 'Durée facturée',
  'receipt.seconds': '{{seconds}} s',
  'receipt.arithmetic': 'Détail du calcul',
  'receipt.arithmeticValue': '{{fee}} + {{rate}} × {{billed}} s ÷ 60 = {{computed}}',
  'receipt.price': 'Prix',
  'receipt.deck': 'Grille tarifaire',
  'receipt.close': 'Fermer',
};
