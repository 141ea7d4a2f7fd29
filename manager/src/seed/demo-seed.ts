import { defaultSipDomain, demoUsers } from '../../../shared/config/defaults';
import type { CurrencyCode } from '../../../shared/money/currency';
import { assertAssignableExtension } from '../../../shared/numbering/extension-range';
import { displayNameProblem } from '../../../shared/sip/display-name';
import type { AuditActor } from '../audit/audit-trail';
import { hashPassword } from '../auth/password-hashing';
import { ApiError } from '../http/api-error';
import { onboardCompany } from '../onboarding/onboard-company';
import { PeopleService } from '../people/people-service';
import { noSipRevoker } from '../people/sip-revoker';
import type { PaymentProvider } from '../payments/payment-provider';
import type { Repository } from '../store/repository';
import type { WalletService } from '../wallet/wallet-service';

/**
 * The demo company "Cabine Démo", created once on an empty database through the same path as every company
 * (manager/src/onboarding/onboard-company.ts, then the people service): the users of
 * shared/config/defaults.ts (1001 Alice, admin; 1002 Bruno and 1003 Chloé, employees) plus a customer-care
 * operator. Demo passwords (documented in docs/manager.md; local stack only) are set directly instead of
 * mailing welcome links:
 *   alice@cabine.test / cabine-1001 (admin), bruno@cabine.test / cabine-1002, chloe@cabine.test / cabine-1003,
 *   care@cabine.test / cabine-care (operator).
 * The company gets the sandbox's approved Visa as card on file and a first 25 EUR top-up through it.
 */
export const demoCompanyId = 'cmp_demo';
export const demoEmails: Readonly<Record<string, string>> = { '1001': 'alice@cabine.test', '1002': 'bruno@cabine.test', '1003': 'chloe@cabine.test' };
export const demoOperator = { email: 'care@cabine.test', password: 'cabine-care' } as const;

/** Throws unless `name` may be stored as a display name (shared/sip/display-name.ts: 1-64 characters, no controls). */
export function assertStorableDisplayName(name: string): void {
  const problem = displayNameProblem(name);
  if (problem !== null) throw new Error(`Display name refused (${problem}): ${JSON.stringify(name.slice(0, 80))}`);
}

/** The demo company's country: its extensions must not collide with that country's short numbers. */
export const demoCompanyCountry = 'FR';

const seedActor: AuditActor = { id: null, email: 'demo seed' };

export async function seedDemo(args: { repository: Repository; wallet: WalletService; provider: PaymentProvider; currency: CurrencyCode; scryptLogN: number; now: number; sipDomain?: string }): Promise<boolean> {
  const store = args.repository.store;
  if (await store.getCompany(demoCompanyId)) return false;
  for (const demo of demoUsers) {
    // shared/numbering/extension-range.ts: never a short number of the company's country (FR 10YT...).
    assertAssignableExtension(demo.username, demoCompanyCountry);
    assertStorableDisplayName(demo.displayName);
  }
  const [admin, ...employees] = demoUsers;
  if (!admin) throw new Error('shared/config/defaults.ts has no demo users');
  // Passwords are set, not mailed: nothing is sent, and nobody else is told about the proxy.
  const people = new PeopleService({
    repository: args.repository, mailer: { kind: 'outbox', send: () => Promise.resolve() }, revoker: noSipRevoker, publicUrl: 'http://127.0.0.1',
    now: () => args.now, scryptLogN: args.scryptLogN, sipCredentialTtlSeconds: 0, log: { warn: () => undefined, info: () => undefined },
  });
  try {
    await onboardCompany({ repository: args.repository, people, now: () => args.now }, seedActor, {
      name: 'Cabine Démo', country: demoCompanyCountry, currency: args.currency, sipDomain: args.sipDomain ?? defaultSipDomain,
      admin: { displayName: admin.displayName, email: demoEmails[admin.username] ?? `${admin.username}@cabine.test`, extension: admin.username },
    }, { companyId: demoCompanyId, adminId: `usr_demo_${admin.username}`, adminPassword: admin.password });
  } catch (error) {
    // Another instance seeded it meanwhile.
    if (error instanceof ApiError && error.status === 409) return false;
    throw error;
  }
  for (const demo of employees) {
    await people.add(demoCompanyId, seedActor, {
      displayName: demo.displayName, email: demoEmails[demo.username] ?? `${demo.username}@cabine.test`, role: 'employee', extension: demo.username, premiumBarred: true,
    }, { id: `usr_demo_${demo.username}`, password: demo.password });
  }
  if (!(await store.getUserByEmail(demoOperator.email))) {
    await store.insertUser({
      id: 'usr_demo_care', companyId: null, email: demoOperator.email, displayName: 'Cabine Customer Care', role: 'operator', extension: null,
      passwordHash: await hashPassword(demoOperator.password, args.scryptLogN), premiumBarred: false, createdAt: args.now,
    });
  }
  const card = await args.provider.tokenizeCard({ number: '4242424242424242', expMonth: 12, expYear: new Date(args.now).getUTCFullYear() + 3, cvc: '123' });
  await store.upsertCard({ companyId: demoCompanyId, providerToken: card.token, brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear, updatedAt: args.now });
  await args.wallet.topUp({ companyId: demoCompanyId, userId: 'usr_demo_1001', amountMinor: 2500, currency: args.currency, idempotencyKey: 'demo-seed-opening-topup' });
  return true;
}
