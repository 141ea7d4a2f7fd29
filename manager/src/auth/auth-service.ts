import { ApiError } from '../http/api-error';
import { hashToken, newToken } from '../ids';
import type { Repository, SessionRow, UserRow } from '../store/repository';
import { decoyPasswordHash, verifyPassword } from './password-hashing';

/** Who is calling, once a token or cookie checks out. */
export interface Principal {
  readonly user: UserRow;
  readonly session: SessionRow;
  readonly via: 'bearer' | 'cookie';
}

export interface AuthServiceOptions {
  readonly repository: Repository;
  readonly now: () => number;
  readonly appSessionTtlMs: number;
  readonly webSessionTtlMs: number;
  readonly handoffTtlMs: number;
  /** Failed sign-ins allowed per email and per client address within `failureWindowMs`. */
  readonly maxFailuresPerEmail: number;
  readonly maxFailuresPerAddress: number;
  readonly failureWindowMs: number;
  /** Where refused sign-ins are reported (the manager's log). */
  readonly log: { warn(details: object, message: string): void };
}

/** Why a sign-in was refused, as logged for the operator. */
export type SignInFailureReason = 'wrong_password' | 'unknown_email' | 'account_inactive' | 'too_many_failures_for_email' | 'too_many_failures_for_address';

/**
 * Whether `user` may hold a session: not deactivated, not removed, and with a password set (an invited
 * person's hash is a placeholder until the welcome link is used; manager/src/people/).
 */
export function canSignIn(user: UserRow): boolean {
  return (user.deactivatedAt ?? null) === null && (user.removedAt ?? null) === null && user.passwordHash.startsWith('scrypt$');
}

function tooManySignIns(retryAfterSeconds: number): ApiError {
  return new ApiError(429, 'too_many_requests', 'Too many failed sign-ins; try again later', undefined, { 'Retry-After': String(retryAfterSeconds) });
}

/**
 * Sign-in, sessions and hand-off codes. Tokens are random 256-bit strings stored only as SHA-256 hashes.
 * Failed sign-ins are counted per email and per client address in the database (so every instance sees
 * them) and refused with 429 once over the limit, before the password is even checked; every refusal is
 * logged (email, client address, reason; never the password).
 */
export class AuthService {
  private readonly revocationListeners = new Map<string, Set<() => void>>();

  constructor(private readonly options: AuthServiceOptions) {}

  private get store() {
    return this.options.repository.store;
  }

  /** Seconds until the window that began at `windowStart` is over (at least 1). */
  private retryAfterSeconds(windowStart: number): number {
    return Math.max(1, Math.ceil((windowStart + this.options.failureWindowMs - this.options.now()) / 1000));
  }

  private refuse(email: string, address: string, reason: SignInFailureReason): void {
    // For the operator: who was tried, from where, why refused. Never the password.
    this.options.log.warn({ event: 'sign_in_failed', email: email.slice(0, 254), ip: address, reason }, 'sign-in refused');
  }

  /**
   * Checks email and password and opens a session of `kind`; the same error for unknown email and bad
   * password. Each attempt first reserves one failure per email and per client address in the database (one
   * atomic statement each, `reserveSignInAttempt`); only an attempt whose reservation stays within the limit
   * gets its password checked, so concurrent guesses cannot all pass a "fewer than 5 so far?" check before
   * any of them is counted. A right password gives the reservations back.
   */
  async signIn(email: string, password: string, address: string, kind: 'app' | 'web'): Promise<{ token: string; session: SessionRow; user: UserRow }> {
    const emailKey = `email:${email.toLowerCase()}`;
    const addressKey = `addr:${address}`;
    const windowMs = this.options.failureWindowMs;
    const byEmail = await this.store.reserveSignInAttempt(emailKey, this.options.now(), windowMs);
    if (byEmail.failures > this.options.maxFailuresPerEmail) {
      this.refuse(email, address, 'too_many_failures_for_email');
      throw tooManySignIns(this.retryAfterSeconds(byEmail.windowStart));
    }
    const byAddress = await this.store.reserveSignInAttempt(addressKey, this.options.now(), windowMs);
    if (byAddress.failures > this.options.maxFailuresPerAddress) {
      // Refused for the address, so this attempt tells nothing about the email: give its count back.
      await this.store.releaseSignInAttempt(emailKey);
      this.refuse(email, address, 'too_many_failures_for_address');
      throw tooManySignIns(this.retryAfterSeconds(byAddress.windowStart));
    }
    const found = await this.store.getUserByEmail(email);
    // A deactivated or removed person, or one who never set a password, is refused like a wrong password,
    // after the same scrypt work (the decoy hash), so the answer and its timing say nothing about them.
    const user = found && canSignIn(found) ? found : null;
    const valid = await verifyPassword(password, user?.passwordHash ?? decoyPasswordHash);
    if (!user || !valid) {
      // The reservations stay: they were failures.
      this.refuse(email, address, user ? 'wrong_password' : found ? 'account_inactive' : 'unknown_email');
      throw new ApiError(401, 'unauthorized', 'Wrong email or password');
    }
    await this.store.clearSignInAttempts(emailKey);
    await this.store.releaseSignInAttempt(addressKey);
    const { token, session } = await this.openSession(user, kind);
    return { token, session, user };
  }

  /** Opens a session for a user already proven (password or hand-off code). */
  async openSession(user: UserRow, kind: 'app' | 'web'): Promise<{ token: string; session: SessionRow }> {
    const token = newToken();
    const now = this.options.now();
    const session: SessionRow = {
      tokenHash: hashToken(token), userId: user.id, kind, csrfToken: newToken(), createdAt: now,
      expiresAt: now + (kind === 'app' ? this.options.appSessionTtlMs : this.options.webSessionTtlMs),
    };
    await this.store.insertSession(session);
    return { token, session };
  }

  /** The principal behind a token, or null when unknown or expired. */
  async authenticate(token: string, via: 'bearer' | 'cookie'): Promise<Principal | null> {
    const session = await this.store.getSession(hashToken(token));
    if (!session || session.expiresAt <= this.options.now()) return null;
    // A bearer token is for the app, a cookie for the pages: neither works in the other's place.
    if ((via === 'bearer') !== (session.kind === 'app')) return null;
    const user = await this.store.getUser(session.userId);
    // Deactivation deletes the sessions too; this covers one opened in the same instant.
    return user && canSignIn(user) ? { user, session, via } : null;
  }

  async signOut(token: string): Promise<void> {
    const tokenHash = hashToken(token);
    await this.store.deleteSession(tokenHash);
    for (const listener of [...(this.revocationListeners.get(tokenHash) ?? [])]) listener();
  }

  /**
   * Tells this process's listeners that the sessions `tokenHashes` are gone (deleted by the people service:
   * a deactivation, a removal, a password change), so their live streams end at once, as on sign-out.
   */
  sessionsEnded(tokenHashes: readonly string[]): void {
    for (const tokenHash of tokenHashes) for (const listener of [...(this.revocationListeners.get(tokenHash) ?? [])]) listener();
  }

  /**
   * Calls `listener` when the session `tokenHash` is signed out through this process (at once). Sign-outs
   * on another instance are seen by `isStillValid`. Returns the unsubscribe function.
   */
  onRevoked(tokenHash: string, listener: () => void): () => void {
    let listeners = this.revocationListeners.get(tokenHash);
    if (!listeners) {
      listeners = new Set();
      this.revocationListeners.set(tokenHash, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.revocationListeners.delete(tokenHash);
    };
  }

  /** Whether `session` still exists in the database (not signed out on any instance) and has not expired. */
  async isStillValid(session: SessionRow): Promise<boolean> {
    if (session.expiresAt <= this.options.now()) return false;
    const stored = await this.store.getSession(session.tokenHash);
    return stored !== null && stored.expiresAt > this.options.now();
  }

  /** A one-time code that signs a browser in as `user` and opens `nextPath`. */
  async createHandoff(user: UserRow, nextPath: string): Promise<{ code: string; expiresAt: number }> {
    const code = newToken();
    const expiresAt = this.options.now() + this.options.handoffTtlMs;
    await this.store.insertHandoff(hashToken(code), user.id, nextPath, expiresAt);
    return { code, expiresAt };
  }

  /** Redeems a hand-off code once; null when unknown, expired or used. */
  async redeemHandoff(code: string): Promise<{ user: UserRow; nextPath: string } | null> {
    const redeemed = await this.store.consumeHandoff(hashToken(code), this.options.now());
    if (!redeemed) return null;
    const user = await this.store.getUser(redeemed.userId);
    return user && canSignIn(user) ? { user, nextPath: redeemed.nextPath } : null;
  }
}
