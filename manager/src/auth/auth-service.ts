import type { Role } from '../../../shared/api/auth-schemas';
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
}

/**
 * Sign-in, sessions and hand-off codes. Tokens are random 256-bit strings stored only as SHA-256 hashes.
 * Failed sign-ins are counted per email and per client address in the database (so every instance sees
 * them) and refused with 429 once over the limit, before the password is even checked.
 */
export class AuthService {
  constructor(private readonly options: AuthServiceOptions) {}

  private get store() {
    return this.options.repository.store;
  }

  private async limited(key: string, max: number): Promise<number | null> {
    const attempts = await this.store.getSignInAttempts(key);
    const now = this.options.now();
    if (!attempts || now - attempts.windowStart >= this.options.failureWindowMs) return null;
    return attempts.failures >= max ? Math.ceil((attempts.windowStart + this.options.failureWindowMs - now) / 1000) : null;
  }

  private async recordFailure(key: string): Promise<void> {
    const attempts = await this.store.getSignInAttempts(key);
    const now = this.options.now();
    if (!attempts || now - attempts.windowStart >= this.options.failureWindowMs) await this.store.setSignInAttempts(key, now, 1);
    else await this.store.setSignInAttempts(key, attempts.windowStart, attempts.failures + 1);
  }

  /** Checks email and password and opens a session of `kind`; the same error for unknown email and bad password. */
  async signIn(email: string, password: string, address: string, kind: 'app' | 'web'): Promise<{ token: string; session: SessionRow; user: UserRow }> {
    const emailKey = `email:${email.toLowerCase()}`;
    const addressKey = `addr:${address}`;
    const wait = (await this.limited(emailKey, this.options.maxFailuresPerEmail)) ?? (await this.limited(addressKey, this.options.maxFailuresPerAddress));
    if (wait !== null) {
      throw new ApiError(429, 'too_many_requests', 'Too many failed sign-ins; try again later', undefined, { 'Retry-After': String(Math.max(1, wait)) });
    }
    const user = await this.store.getUserByEmail(email);
    const valid = await verifyPassword(password, user?.passwordHash ?? decoyPasswordHash);
    if (!user || !valid) {
      await this.recordFailure(emailKey);
      await this.recordFailure(addressKey);
      throw new ApiError(401, 'unauthorized', 'Wrong email or password');
    }
    await this.store.clearSignInAttempts(emailKey);
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
    return user ? { user, session, via } : null;
  }

  async signOut(token: string): Promise<void> {
    await this.store.deleteSession(hashToken(token));
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
    return user ? { user, nextPath: redeemed.nextPath } : null;
  }
}

/** Throws 403 unless the principal has one of `roles`. */
export function requireRole(principal: Principal, roles: readonly Role[]): void {
  if (!roles.includes(principal.user.role)) throw new ApiError(403, 'forbidden', `This needs the ${roles.join(' or ')} role`);
}
