import { hashToken, newToken } from '../ids';
import type { Mailer } from '../mail/mailer';
import type { Store, UserRow } from '../store/repository';
import { PeopleError } from './people-errors';

/** A welcome link lasts a week (the first admin may be on holiday); a reset link a day. */
export const welcomeLinkTtlMs = 7 * 24 * 3600 * 1000;
export const resetLinkTtlMs = 24 * 3600 * 1000;

/** An invited person's password column until the welcome link is used: never a valid hash (canSignIn). */
export const noPasswordYet = 'unset$';

export interface PasswordLinkDeps {
  readonly store: Store;
  readonly mailer: Mailer;
  readonly publicUrl: string;
  readonly now: () => number;
}

/** The mail for a link, English then French (the manager does not know which the person reads). */
function linkMail(user: UserRow, purpose: 'welcome' | 'reset', url: string, companyName: string): { subject: string; text: string } {
  if (purpose === 'welcome') {
    return {
      subject: `Cabine: set your password / choisissez votre mot de passe`,
      text: `Hello ${user.displayName},\n\nYou now have a Cabine account for ${companyName} (${user.email}${user.extension ? `, extension ${user.extension}` : ''}).\nSet your password here (the link works once, for 7 days):\n${url}\n\n`
        + `Bonjour ${user.displayName},\n\nVous avez maintenant un compte Cabine pour ${companyName} (${user.email}${user.extension ? `, poste ${user.extension}` : ''}).\nChoisissez votre mot de passe ici (le lien ne sert qu'une fois, pendant 7 jours) :\n${url}\n`,
    };
  }
  return {
    subject: `Cabine: reset your password / réinitialisez votre mot de passe`,
    text: `Hello ${user.displayName},\n\nAn admin of ${companyName} asked for a new password for ${user.email}.\nChoose it here (the link works once, for 24 hours):\n${url}\n\n`
      + `Bonjour ${user.displayName},\n\nUn administrateur de ${companyName} a demandé un nouveau mot de passe pour ${user.email}.\nChoisissez-le ici (le lien ne sert qu'une fois, pendant 24 heures) :\n${url}\n`,
  };
}

/**
 * Issues a one-time link (older unused links of the person stop working) and mails it. The token is stored
 * only as its SHA-256 hash; the link carries it in the query (the request log redacts `token`, the page
 * sends no Referer).
 */
export async function sendPasswordLink(deps: PasswordLinkDeps, user: UserRow, purpose: 'welcome' | 'reset', createdBy: string | null, companyName: string): Promise<{ expiresAt: number }> {
  const token = newToken();
  const now = deps.now();
  const expiresAt = now + (purpose === 'welcome' ? welcomeLinkTtlMs : resetLinkTtlMs);
  await deps.store.expirePasswordLinksOf(user.id, now);
  await deps.store.insertPasswordLink({ tokenHash: hashToken(token), userId: user.id, purpose, createdBy, createdAt: now, expiresAt, usedAt: null });
  const url = `${deps.publicUrl.replace(/\/$/, '')}/set-password?token=${token}`;
  const mail = linkMail(user, purpose, url, companyName);
  await deps.mailer.send({ to: user.email, ...mail });
  return { expiresAt };
}

/** Why a link cannot be used: unknown, used, expired, or its person deactivated or removed since. */
export function deadLinkError(): PeopleError {
  return new PeopleError(400, 'validation_failed', 'dead_link', 'This link is no longer valid: ask an admin for a new one');
}
