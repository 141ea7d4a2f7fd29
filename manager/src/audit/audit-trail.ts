import type { AuditEventView } from '../../../shared/api/people-schemas';
import type { AuditEventRow, Store, UserRow } from '../store/repository';

/**
 * The audit trail: who did what to a company, and when. Append-only (migration 8 triggers refuse UPDATE and
 * DELETE). Every audited write records its entry with `recordAudit(tx, ...)` inside the transaction that
 * makes the change (people, onboarding, password links, wallet, settings, budgets, numbers), so the change
 * and its entry commit together or not at all: a crash between the two cannot lose the entry, and a change
 * that rolled back leaves none. The services take the `actor` from the caller (API or page alike).
 */
export type AuditAction =
  | 'company.created'
  | 'person.added' | 'person.updated' | 'person.deactivated' | 'person.reactivated' | 'person.removed'
  | 'password.link_sent' | 'password.set' | 'password.changed'
  | 'funds.added' | 'topup.cancelled' | 'refill.changed' | 'card.changed'
  | 'barring.changed' | 'outside_calls.changed' | 'budget.changed' | 'daily_cap.changed' | 'high_risk.changed'
  | 'number.added' | 'number.removed' | 'number.assigned' | 'main_number.changed' | 'ring_group.saved';

/** Who acted: a signed-in person, or the command line (scripted onboarding). */
export type AuditActor = Pick<UserRow, 'id' | 'email'> | { readonly id: null; readonly email: string };

export const commandLineActor: AuditActor = { id: null, email: 'command line' };

export interface AuditEntry {
  readonly companyId: string | null;
  readonly actor: AuditActor;
  readonly action: AuditAction;
  readonly target?: string | null;
  readonly details?: Record<string, unknown> | null;
  readonly at: number;
}

export async function recordAudit(store: Pick<Store, 'appendAudit'>, entry: AuditEntry): Promise<void> {
  await store.appendAudit({
    companyId: entry.companyId,
    actorId: entry.actor.id,
    actorLabel: entry.actor.email,
    action: entry.action,
    target: entry.target ?? null,
    details: entry.details ? JSON.stringify(entry.details) : null,
    createdAt: entry.at,
  });
}

export function auditEventView(row: AuditEventRow): AuditEventView {
  let details: Record<string, unknown> | null = null;
  if (row.details) {
    try {
      const parsed: unknown = JSON.parse(row.details);
      details = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    } catch {
      details = null;
    }
  }
  return { seq: row.seq, companyId: row.companyId, actor: row.actorLabel, action: row.action, target: row.target, details, at: new Date(row.createdAt).toISOString() };
}
