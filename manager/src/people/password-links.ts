import type { AuditActor } from '../audit/audit-trail';
import { recordAudit } from '../audit/audit-trail';
import { ApiError } from '../http/api-error';
import { hashToken, newToken } from '../ids';
import type { Mailer } from '../mail/mailer';
import type { Repository, UserRow } from '../store/repository';
import { PeopleError } from './people-errors';

/** A welcome link lasts a week (the first admin may be on holiday); a reset link a day. */
export const welcomeLinkTtlMs = 7 * 24 * 3600 * 1000;
export const resetLinkTtlMs = 24 * 3600 * 1000;

/** An invited person's password column until the welcome link is used: never a valid hash (canSignIn). */
export const noPasswordYet = 'unset$';

export interface PasswordLinkDeps {
  readonly repository: Repository;
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

/** Who asks for a link, for the audit entry written with it (a welcome link is part of "person.added"). */
export interface LinkRequest {
  /** The person's company; null for a customer-care operator (who belongs to none). */
  readonly companyId: string | null;
  readonly actor: AuditActor;
  readonly companyName: string;
}

/**
 * Issues a one-time link and mails it. In one transaction that first locks the person's row (PostgreSQL
 * SELECT ... FOR UPDATE; SQLite's BEGIN IMMEDIATE), their older unused links stop working, the new one is
 * stored and, for a reset, the audit entry is written: two resets at once serialise on the row, so the
 * second expires the first's link and exactly one stays live. The mail goes after the commit (a rolled-back
 * link is never mailed). The token is stored only as its SHA-256 hash; the link carries it in the query (the
 * request log redacts `token`, the page sends no Referer). Refused (409) for a deactivated or removed person.
 */
export async function sendPasswordLink(deps: PasswordLinkDeps, userId: string, purpose: 'welcome' | 'reset', request: LinkRequest): Promise<{ expiresAt: number; sentTo: string }> {
  const token = newToken();
  const user = await deps.repository.transaction(async (tx) => {
    const locked = await tx.lockUser(userId);
    if (!locked || locked.companyId !== request.companyId || (locked.removedAt ?? null) !== null) throw new ApiError(404, 'not_found', 'No such person');
    if ((locked.deactivatedAt ?? null) !== null) throw new PeopleError(409, 'conflict', 'deactivated', 'Reactivate this person first');
    // Read after the lock: a link expired by a writer we waited for has expires_at <= now (strictly below is live).
    const now = deps.now();
    const expiresAt = now + (purpose === 'welcome' ? welcomeLinkTtlMs : resetLinkTtlMs);
    await tx.expirePasswordLinksOf(locked.id, now);
    await tx.insertPasswordLink({ tokenHash: hashToken(token), userId: locked.id, purpose, createdBy: request.actor.id, createdAt: now, expiresAt, usedAt: null });
    if (purpose === 'reset') await recordAudit(tx, { companyId: request.companyId, actor: request.actor, action: 'password.link_sent', target: locked.id, details: { purpose }, at: now });
    return { row: locked, expiresAt };
  });
  const url = `${deps.publicUrl.replace(/\/$/, '')}/set-password?token=${token}`;
  const mail = linkMail(user.row, purpose, url, request.companyName);
  await deps.mailer.send({ to: user.row.email, ...mail });
  return { expiresAt: user.expiresAt, sentTo: user.row.email };
}

/** Why a link cannot be used: unknown, used, expired, or its person deactivated or removed since. */
export function deadLinkError(): PeopleError {
  return new PeopleError(400, 'validation_failed', 'dead_link', 'This link is no longer valid: ask an admin for a new one');
}
