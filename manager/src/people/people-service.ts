import type { AddPersonRequest, CompanyRole, PersonStatus, PersonView, UpdatePersonRequest } from '../../../shared/api/people-schemas';
import { addPersonRequestSchema } from '../../../shared/api/people-schemas';
import { extensionProblem } from '../../../shared/numbering/extension-range';
import type { AuditActor } from '../audit/audit-trail';
import { recordAudit } from '../audit/audit-trail';
import { hashPassword, verifyPassword } from '../auth/password-hashing';
import { ApiError } from '../http/api-error';
import { hashToken, newId } from '../ids';
import type { Mailer } from '../mail/mailer';
import type { CompanyRow, Repository, SipRevocationRow, Store, UserRow } from '../store/repository';
import { PeopleError } from './people-errors';
import { deadLinkError, noPasswordYet, sendPasswordLink } from './password-links';
import type { SipRevoker } from './sip-revoker';

/** Refuse every credential of an extension (its holder is deactivated): the largest 32-bit value Kamailio compares. */
export const refuseAllCredentials = 2 ** 31 - 1;

export interface PeopleDeps {
  readonly repository: Repository;
  readonly mailer: Mailer;
  readonly revoker: SipRevoker;
  readonly publicUrl: string;
  readonly now: () => number;
  readonly scryptLogN: number;
  /** The SIP credential lifetime (CABINE_SIP_CREDENTIAL_TTL_SECONDS): how long a revoked credential could still live. */
  readonly sipCredentialTtlSeconds: number;
  readonly log: { warn(details: object, message: string): void; info(details: object, message: string): void };
  /** Sessions this service deleted, once committed: their live streams end at once (AuthService.sessionsEnded). */
  readonly onSessionsEnded?: (tokenHashes: readonly string[]) => void;
}

export function personStatus(user: UserRow): PersonStatus {
  if ((user.deactivatedAt ?? null) !== null) return 'deactivated';
  return user.passwordHash.startsWith('scrypt$') ? 'active' : 'invited';
}

export function personView(user: UserRow, monthlyBudgetMinor: number | null): PersonView {
  return {
    id: user.id, email: user.email, displayName: user.displayName, role: user.role === 'admin' ? 'admin' : 'employee', extension: user.extension,
    premiumBarred: user.premiumBarred, status: personStatus(user), monthlyBudgetMinor,
  };
}

const isLive = (user: UserRow): boolean => (user.removedAt ?? null) === null;
const isActiveAdmin = (user: UserRow): boolean => user.role === 'admin' && isLive(user) && (user.deactivatedAt ?? null) === null;

/** A unique-constraint violation (SQLite or PostgreSQL 23505): two writers took the same email or extension. */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || (typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed'));
}

/** The lowest extension of the company's range (shared/numbering/extension-range.ts) nobody holds. */
export async function freeExtension(store: Store, company: CompanyRow): Promise<string> {
  const taken = new Set((await store.listUsers(company.id)).map((user) => user.extension).filter((ext): ext is string => ext !== null));
  for (let n = 1000; n <= 2999; n += 1) {
    const candidate = String(n);
    if (!taken.has(candidate) && extensionProblem(candidate, company.country) === null) return candidate;
  }
  throw new PeopleError(409, 'conflict', 'no_free_extension', 'No free extension is left in the company range');
}

/** Checks an extension an admin chose: in the company's range and free (or already the person's). */
async function checkExtension(store: Store, company: CompanyRow, extension: string, forUserId: string | null): Promise<void> {
  const problem = extensionProblem(extension, company.country);
  if (problem !== null) {
    throw new PeopleError(400, 'validation_failed', problem === 'format' ? 'extension_format' : 'extension_short_number', problem === 'format' ? 'An extension is four digits starting with 1 or 2' : `${extension} is a short number in ${company.country}: choose another extension`, [{ path: 'body.extension', message: problem }]);
  }
  const holder = await store.getUserByExtension(company.id, extension);
  if (holder && holder.id !== forUserId) throw new PeopleError(409, 'conflict', 'extension_taken', `Extension ${extension} is already taken`);
}

/** A person of the company; another company's, an operator, a removed person or an unknown id: 404. */
async function companyPerson(store: Store, companyId: string, userId: string): Promise<UserRow> {
  const user = await store.getUser(userId);
  if (!user || user.companyId !== companyId || !isLive(user)) throw new ApiError(404, 'not_found', 'No such person');
  return user;
}

async function companyOf(store: Store, companyId: string): Promise<CompanyRow> {
  const company = await store.getCompany(companyId);
  if (!company) throw new ApiError(404, 'not_found', 'No such company');
  return company;
}

/**
 * People of a company: add (with a welcome link), change, deactivate, reactivate, remove. Every write runs
 * under the company lock, so two admins cannot both take the last free extension or both demote each other
 * out of the last admin seat; role checks (admins only) are the routes' `auth: 'admin'`.
 */
export class PeopleService {
  constructor(private readonly deps: PeopleDeps) {}

  private get store(): Store {
    return this.deps.repository.store;
  }

  async list(companyId: string): Promise<PersonView[]> {
    const budgets = new Map((await this.store.listUserBudgets(companyId)).map((row) => [row.userId, row.monthlyBudgetMinor]));
    return (await this.store.listUsers(companyId)).filter(isLive).map((user) => personView(user, budgets.get(user.id) ?? null));
  }

  async view(user: UserRow): Promise<PersonView> {
    return personView(user, (await this.store.getUserBudget(user.id))?.monthlyBudgetMinor ?? null);
  }

  /**
   * Adds a person with no password yet and mails them a welcome link. `input` is validated here as well
   * (the command line and the seed call this directly).
   */
  async add(companyId: string, actor: AuditActor, rawInput: AddPersonRequest, options: { password?: string; sendWelcome?: boolean; id?: string } = {}): Promise<{ person: PersonView; user: UserRow }> {
    const parsed = addPersonRequestSchema.safeParse(rawInput);
    if (!parsed.success) throw new ApiError(400, 'validation_failed', 'Invalid person', parsed.error.issues.map((issue) => ({ path: ['body', ...issue.path.map(String)].join('.'), message: issue.message })));
    const input = parsed.data;
    const passwordHash = options.password === undefined ? noPasswordYet : await hashPassword(options.password, this.deps.scryptLogN);
    const now = this.deps.now();
    let user: UserRow;
    try {
      user = await this.deps.repository.transaction(async (tx) => {
        const company = await tx.lockCompany(companyId);
        if (!company) throw new ApiError(404, 'not_found', 'No such company');
        if (await tx.getUserByEmail(input.email)) throw new PeopleError(409, 'conflict', 'email_taken', 'Somebody already has an account with this email');
        const extension = input.extension ?? (await freeExtension(tx, company));
        await checkExtension(tx, company, extension, null);
        const row: UserRow = {
          id: options.id ?? newId('usr'), companyId, email: input.email.toLowerCase(), displayName: input.displayName, role: input.role, extension,
          passwordHash, premiumBarred: input.premiumBarred, createdAt: now,
        };
        await tx.insertUser(row);
        if (input.monthlyBudgetMinor !== null) await tx.setUserBudget({ userId: row.id, companyId, monthlyBudgetMinor: input.monthlyBudgetMinor, updatedBy: actor.id ?? 'command line', updatedAt: now });
        await recordAudit(tx, { companyId, actor, action: 'person.added', target: row.id, details: { email: row.email, role: row.role, extension, premiumBarred: row.premiumBarred, monthlyBudgetMinor: input.monthlyBudgetMinor }, at: now });
        return row;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new PeopleError(409, 'conflict', 'taken_meanwhile', 'That email or extension was just taken; try again');
      throw error;
    }
    if (options.sendWelcome !== false && options.password === undefined) {
      const company = await companyOf(this.store, companyId);
      await sendPasswordLink(this.deps, user.id, 'welcome', { companyId, actor, companyName: company.name });
    }
    return { person: personView(user, input.monthlyBudgetMinor), user };
  }

  async update(companyId: string, actor: AuditActor, userId: string, changes: UpdatePersonRequest): Promise<PersonView> {
    const now = this.deps.now();
    const { before, after, company } = await this.deps.repository.transaction(async (tx) => {
      const company = await tx.lockCompany(companyId);
      if (!company) throw new ApiError(404, 'not_found', 'No such company');
      const before = await companyPerson(tx, companyId, userId);
      if (changes.role !== undefined && changes.role !== before.role) {
        if (actor.id === before.id) throw new PeopleError(409, 'conflict', 'self_change', 'You cannot change your own role: ask another admin');
        if (changes.role !== 'admin') await this.keepAnAdmin(tx, companyId, before);
      }
      if (changes.extension !== undefined && changes.extension !== before.extension) await checkExtension(tx, company, changes.extension, before.id);
      await tx.updateUser(before.id, {
        ...(changes.role === undefined ? {} : { role: changes.role satisfies CompanyRole }),
        ...(changes.extension === undefined ? {} : { extension: changes.extension }),
        ...(changes.displayName === undefined ? {} : { displayName: changes.displayName }),
      });
      if (changes.premiumBarred !== undefined) await tx.setPremiumBarred(before.id, changes.premiumBarred);
      const after = (await tx.getUser(before.id)) ?? before;
      const extensionMoved = before.extension !== null && after.extension !== before.extension;
      if (extensionMoved && before.extension !== null) await tx.setSipRevocation(this.expiringRevocation(company, before.extension, now));
      await recordAudit(tx, { companyId, actor, action: changes.premiumBarred !== undefined && Object.keys(changes).length === 1 ? 'barring.changed' : 'person.updated', target: before.id, details: { ...changes, ...(extensionMoved ? { previousExtension: before.extension } : {}) }, at: now });
      return { before, after, company };
    });
    // The old extension's credentials die at the proxy; its registrations and calls end.
    if (before.extension !== null && after.extension !== before.extension) await this.push(this.expiringRevocation(company, before.extension, now), true);
    return this.view(after);
  }

  async deactivate(companyId: string, actor: AuditActor, userId: string): Promise<PersonView> {
    const now = this.deps.now();
    let endedSessions: string[] = [];
    const { user, revocation } = await this.deps.repository.transaction(async (tx) => {
      const company = await tx.lockCompany(companyId);
      if (!company) throw new ApiError(404, 'not_found', 'No such company');
      const user = await companyPerson(tx, companyId, userId);
      if (actor.id === user.id) throw new PeopleError(409, 'conflict', 'self_change', 'You cannot deactivate yourself: ask another admin');
      if ((user.deactivatedAt ?? null) !== null) return { user, revocation: null };
      await this.keepAnAdmin(tx, companyId, user);
      await tx.updateUser(user.id, { deactivatedAt: now });
      const ended = await tx.deleteSessionsOfUser(user.id);
      endedSessions = ended;
      await tx.expirePasswordLinksOf(user.id, now);
      const revocation: SipRevocationRow | null = user.extension === null ? null : { sipDomain: company.sipDomain, extension: user.extension, refuseExpiryUpto: refuseAllCredentials, updatedAt: now };
      if (revocation) await tx.setSipRevocation(revocation);
      await recordAudit(tx, { companyId, actor, action: 'person.deactivated', target: user.id, details: { email: user.email, extension: user.extension, sessionsEnded: ended.length }, at: now });
      return { user: { ...user, deactivatedAt: now }, revocation };
    });
    this.deps.onSessionsEnded?.(endedSessions);
    if (revocation) await this.push(revocation, true);
    return this.view(user);
  }

  async reactivate(companyId: string, actor: AuditActor, userId: string): Promise<PersonView> {
    const now = this.deps.now();
    const { user, revocation } = await this.deps.repository.transaction(async (tx) => {
      const company = await tx.lockCompany(companyId);
      if (!company) throw new ApiError(404, 'not_found', 'No such company');
      const user = await companyPerson(tx, companyId, userId);
      const deactivatedAt = user.deactivatedAt ?? null;
      if (deactivatedAt === null) return { user, revocation: null };
      await tx.updateUser(user.id, { deactivatedAt: null });
      // Credentials handed out before the deactivation stay refused until they would have expired anyway;
      // new ones (sip-config after signing in again) work at once.
      const revocation = user.extension === null ? null : this.expiringRevocation(company, user.extension, deactivatedAt);
      if (revocation) await tx.setSipRevocation(revocation);
      await recordAudit(tx, { companyId, actor, action: 'person.reactivated', target: user.id, details: { email: user.email }, at: now });
      return { user: { ...user, deactivatedAt: null }, revocation };
    });
    if (revocation) await this.push(revocation, false);
    return this.view(user);
  }

  /** Removes a person: signed out and revoked as by deactivation; email and extension freed for others. */
  async remove(companyId: string, actor: AuditActor, userId: string): Promise<void> {
    const now = this.deps.now();
    let endedSessions: string[] = [];
    const revocation = await this.deps.repository.transaction(async (tx) => {
      const company = await tx.lockCompany(companyId);
      if (!company) throw new ApiError(404, 'not_found', 'No such company');
      const user = await companyPerson(tx, companyId, userId);
      if (actor.id === user.id) throw new PeopleError(409, 'conflict', 'self_change', 'You cannot remove yourself: ask another admin');
      await this.keepAnAdmin(tx, companyId, user);
      await tx.updateUser(user.id, { removedAt: now, deactivatedAt: user.deactivatedAt ?? now, email: `removed+${user.id}@removed.invalid`, extension: null });
      endedSessions = await tx.deleteSessionsOfUser(user.id);
      await tx.expirePasswordLinksOf(user.id, now);
      await tx.deleteUserBudget(user.id);
      const revocation = user.extension === null ? null : this.expiringRevocation(company, user.extension, now);
      if (revocation) await tx.setSipRevocation(revocation);
      await recordAudit(tx, { companyId, actor, action: 'person.removed', target: user.id, details: { email: user.email, displayName: user.displayName, extension: user.extension }, at: now });
      return revocation;
    });
    this.deps.onSessionsEnded?.(endedSessions);
    if (revocation) await this.push(revocation, true);
  }

  async sendReset(companyId: string, actor: AuditActor, userId: string): Promise<{ sentTo: string; expiresAt: number }> {
    await companyPerson(this.store, companyId, userId);
    const company = await companyOf(this.store, companyId);
    return sendPasswordLink(this.deps, userId, 'reset', { companyId, actor, companyName: company.name });
  }

  /**
   * Sets a password from a one-time link; every session of the person ends (a reset may follow a theft).
   * The person's row is locked before the link is consumed, so a reset issued meanwhile either committed
   * first (this link is dead) or waits for this one; `now` is read after the lock for the same reason.
   */
  async setPasswordWithLink(token: string, password: string): Promise<UserRow> {
    const passwordHash = await hashPassword(password, this.deps.scryptLogN);
    const tokenHash = hashToken(token);
    let endedSessions: string[] = [];
    const updated = await this.deps.repository.transaction(async (tx) => {
      const found = await tx.getLivePasswordLink(tokenHash, this.deps.now());
      if (!found) throw deadLinkError();
      const user = await tx.lockUser(found.userId);
      const now = this.deps.now();
      const link = await tx.consumePasswordLink(tokenHash, now);
      if (!link || !user || !isLive(user) || (user.deactivatedAt ?? null) !== null) throw deadLinkError();
      await tx.updateUser(user.id, { passwordHash });
      endedSessions = await tx.deleteSessionsOfUser(user.id);
      // The person's other unused links die with this use (a reset mailed twice leaves nothing live).
      await tx.expirePasswordLinksOf(user.id, now);
      await recordAudit(tx, { companyId: user.companyId, actor: user, action: 'password.set', target: user.id, details: { purpose: link.purpose }, at: now });
      return { ...user, passwordHash };
    });
    this.deps.onSessionsEnded?.(endedSessions);
    return updated;
  }

  /**
   * A person changes their own password: the current one is checked (counted against the same per-email
   * limit as sign-in, so a stolen session cannot guess it), then their other sessions end.
   */
  async changeOwnPassword(user: UserRow, currentTokenHash: string, currentPassword: string, newPassword: string, maxFailures: number, windowMs: number): Promise<void> {
    const key = `email:${user.email.toLowerCase()}`;
    const attempt = await this.store.reserveSignInAttempt(key, this.deps.now(), windowMs);
    if (attempt.failures > maxFailures) throw new ApiError(429, 'too_many_requests', 'Too many wrong passwords; try again later', undefined, { 'Retry-After': '60' });
    if (!(await verifyPassword(currentPassword, user.passwordHash))) throw new PeopleError(403, 'forbidden', 'wrong_password', 'The current password is wrong');
    await this.store.releaseSignInAttempt(key);
    const passwordHash = await hashPassword(newPassword, this.deps.scryptLogN);
    const now = this.deps.now();
    const ended = await this.deps.repository.transaction(async (tx) => {
      await tx.updateUser(user.id, { passwordHash });
      const sessions = await tx.deleteSessionsOfUser(user.id, currentTokenHash);
      await tx.expirePasswordLinksOf(user.id, now);
      await recordAudit(tx, { companyId: user.companyId, actor: user, action: 'password.changed', target: user.id, at: now });
      return sessions;
    });
    this.deps.onSessionsEnded?.(ended);
  }

  /** The person must not be the company's last active admin (it would leave nobody to manage it). */
  private async keepAnAdmin(tx: Store, companyId: string, user: UserRow): Promise<void> {
    if (!isActiveAdmin(user)) return;
    const others = (await tx.listUsers(companyId)).filter((other) => other.id !== user.id && isActiveAdmin(other));
    if (others.length === 0) throw new PeopleError(409, 'conflict', 'last_admin', 'This is the last admin of the company: make someone else admin first');
  }

  /** Credentials of `extension` issued up to `since` die; later ones work. */
  private expiringRevocation(company: CompanyRow, extension: string, since: number): SipRevocationRow {
    return { sipDomain: company.sipDomain, extension, refuseExpiryUpto: Math.floor(since / 1000) + this.deps.sipCredentialTtlSeconds, updatedAt: this.deps.now() };
  }

  /** Tells the proxy now; if it cannot be reached, its periodic rebuild (every few seconds) catches up. */
  private async push(revocation: SipRevocationRow, cutOff: boolean): Promise<void> {
    try {
      const outcome = await this.deps.revoker.apply(revocation, cutOff);
      this.deps.log.info({ extension: revocation.extension, sipDomain: revocation.sipDomain, cutOff, ...outcome }, 'SIP revocation pushed to the proxy');
    } catch (error) {
      this.deps.log.warn({ err: error, extension: revocation.extension, sipDomain: revocation.sipDomain }, 'SIP revocation not pushed; the proxy picks it up at its next rebuild');
    }
  }
}
