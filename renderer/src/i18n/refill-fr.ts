import type { RefillMessageKey } from './refill-en.js';

/** French wording of refill-en.ts: every key, the type says so. */
export const refillFr: Readonly<Record<RefillMessageKey, string>> = {
  'refill.disabledAfter': 'La recharge automatique s’est désactivée après {{declines}} paiements refusés de suite. Mettez la carte à jour dans le gestionnaire, puis réactivez-la.',
  'refill.declinedRetry': 'La dernière recharge automatique a été refusée ({{declines}} de suite). Prochaine tentative {{at}}.',
  'refill.limitRetry': 'Recharge automatique en pause : la limite de recharges du jour est atteinte. Prochaine tentative {{at}}.',
  'refill.attempts': 'Tentatives de recharge automatique',
  'refill.status.pending': 'En cours',
  'refill.status.succeeded': 'Ajoutée',
  'refill.status.declined': 'Refusée',
  'refill.status.skipped_limit': 'Non effectuée (limite du jour)',
  'refill.decline.card_declined': 'la carte a été refusée',
  'refill.decline.insufficient_funds': 'la carte n’a pas de fonds suffisants',
  'refill.decline.authentication_required': 'la banque demande une authentification',
  'refill.decline.no_card_on_file': 'aucune carte n’est enregistrée',
  'refill.decline.processing_error': 'le prestataire de paiement a échoué',
  'refill.cause.debit': 'après un appel',
  'refill.cause.charge': 'après un appel',
  'refill.cause.reservation': 'pendant un appel',
  'refill.cause.extension': 'pendant un appel',
  'refill.cause.settings': 'réglages enregistrés',
  'refill.cause.retry': 'nouvelle tentative',
  'refill.cause.refill': 'toujours sous le seuil',
  'refill.attempt': '{{status}} · {{cause}} · tentative {{attempt}}',
  'refill.attemptDeclined': '{{status}} : {{reason}} · {{cause}} · tentative {{attempt}}',
};
