import type { Language } from './i18n';
import { fill } from './i18n';

/**
 * Automatic-refill notices and the wallet's notifications, worded from their code and values in the
 * reader's language (issue 10, section 4): the server stores `kind` + `params`, never a sentence to show.
 * Kept beside the shared catalog (i18n.ts) so this feature owns its keys; `fr` must translate every key.
 */
const en = {
  declineCode_card_declined: 'the card was declined',
  declineCode_insufficient_funds: 'the card has insufficient funds',
  declineCode_authentication_required: 'the bank asks for authentication',
  declineCode_no_card_on_file: 'no card is on file',
  declineCode_processing_error: 'the card processor failed',
  declineCode_other: 'the payment failed ({code})',
  noticeDeclined: 'Automatic refill declined: {reason} ({declines} in a row). Next attempt {retryAt}.',
  noticeDeclinedLast: 'Automatic refill declined: {reason} ({declines} in a row).',
  noticeDisabled: 'Automatic refill turned itself off after {declines} declined payments in a row. Update the card, then turn it back on.',
  noticeLimit: 'Automatic refill skipped: already {count} refills in 24 hours (limit {limit}). Next attempt {retryAt}.',
  noticeTopUpCancelled: 'Top-up {receipt} was cancelled by customer care: {reason}',
  disabledAfter: 'Turned itself off after {declines} declined payments in a row.',
  nextAttempt: 'Next attempt {at}.',
  attemptsHeading: 'Automatic refill attempts',
  attemptStatus_pending: 'In progress',
  attemptStatus_succeeded: 'Added',
  attemptStatus_declined: 'Declined',
  attemptStatus_skipped_limit: 'Skipped (daily limit)',
  attemptCause_debit: 'after a call',
  attemptCause_charge: 'after a call',
  attemptCause_reservation: 'during a call',
  attemptCause_extension: 'during a call',
  attemptCause_settings: 'settings saved',
  attemptCause_retry: 'retry',
  attemptCause_refill: 'still below the level',
  attemptNumber: 'attempt {attempt}',
  status: 'Status',
  reason: 'Why',
};

const fr: Record<keyof typeof en, string> = {
  declineCode_card_declined: 'la carte a été refusée',
  declineCode_insufficient_funds: 'la carte n’a pas de fonds suffisants',
  declineCode_authentication_required: 'la banque demande une authentification',
  declineCode_no_card_on_file: 'aucune carte n’est enregistrée',
  declineCode_processing_error: 'le prestataire de paiement a échoué',
  declineCode_other: 'le paiement a échoué ({code})',
  noticeDeclined: 'Recharge automatique refusée : {reason} ({declines} de suite). Prochaine tentative {retryAt}.',
  noticeDeclinedLast: 'Recharge automatique refusée : {reason} ({declines} de suite).',
  noticeDisabled: 'La recharge automatique s’est désactivée après {declines} paiements refusés de suite. Mettez la carte à jour, puis réactivez-la.',
  noticeLimit: 'Recharge automatique non effectuée : déjà {count} recharges en 24 heures (limite {limit}). Prochaine tentative {retryAt}.',
  noticeTopUpCancelled: 'L’approvisionnement {receipt} a été annulé par le service client : {reason}',
  disabledAfter: 'Désactivée d’elle-même après {declines} paiements refusés de suite.',
  nextAttempt: 'Prochaine tentative {at}.',
  attemptsHeading: 'Tentatives de recharge automatique',
  attemptStatus_pending: 'En cours',
  attemptStatus_succeeded: 'Ajoutée',
  attemptStatus_declined: 'Refusée',
  attemptStatus_skipped_limit: 'Non effectuée (limite du jour)',
  attemptCause_debit: 'après un appel',
  attemptCause_charge: 'après un appel',
  attemptCause_reservation: 'pendant un appel',
  attemptCause_extension: 'pendant un appel',
  attemptCause_settings: 'réglages enregistrés',
  attemptCause_retry: 'nouvelle tentative',
  attemptCause_refill: 'toujours sous le seuil',
  attemptNumber: 'tentative {attempt}',
  status: 'État',
  reason: 'Pourquoi',
};

export type RefillMessageKey = keyof typeof en;
export const refillMessages: Readonly<Record<Language, Readonly<Record<RefillMessageKey, string>>>> = { en, fr };

/** `key` in `lang` with its `{name}` placeholders filled. */
export function refillText(lang: Language, key: RefillMessageKey, values: Readonly<Record<string, string | number>> = {}): string {
  return fill(refillMessages[lang][key], values);
}

/** A refill time for people: short date and time, UTC (the manager's pages show times in UTC). */
export function refillWhen(locale: string, epochMs: number): string {
  return `${new Date(epochMs).toLocaleString(locale, { timeZone: 'UTC', dateStyle: 'short', timeStyle: 'short' })} UTC`;
}

/** Why a card payment failed, in words. */
export function declineReason(lang: Language, code: string | null): string {
  const key = `declineCode_${code ?? 'other'}`;
  return key in en ? refillText(lang, key as RefillMessageKey) : refillText(lang, 'declineCode_other', { code: code ?? '?' });
}

/**
 * A notification in the reader's language, from its kind and stored values (`params`, JSON); rows written
 * before the values were kept (migration 6) fall back to their English `message`.
 */
export function notificationText(lang: Language, locale: string, row: { readonly kind: string; readonly message: string; readonly params?: string | null }): string {
  let params: Record<string, unknown> = {};
  try {
    params = row.params ? (JSON.parse(row.params) as Record<string, unknown>) : {};
  } catch {
    return row.message;
  }
  if (!row.params) return row.message;
  const when = (value: unknown): string => (typeof value === 'number' ? refillWhen(locale, value) : '');
  const count = (value: unknown): number => (typeof value === 'number' ? value : 0);
  switch (row.kind) {
    case 'auto_refill_declined': {
      const reason = declineReason(lang, typeof params.code === 'string' ? params.code : null);
      return typeof params.retryAt === 'number'
        ? refillText(lang, 'noticeDeclined', { reason, declines: count(params.declines), retryAt: when(params.retryAt) })
        : refillText(lang, 'noticeDeclinedLast', { reason, declines: count(params.declines) });
    }
    case 'auto_refill_disabled':
      return refillText(lang, 'noticeDisabled', { declines: count(params.declines) });
    case 'auto_refill_limit_reached':
      return refillText(lang, 'noticeLimit', { count: count(params.count), limit: count(params.limit), retryAt: when(params.retryAt) });
    case 'topup_cancelled':
      return refillText(lang, 'noticeTopUpCancelled', { receipt: String(params.receipt ?? ''), reason: String(params.reason ?? '') });
    default:
      return row.message;
  }
}
