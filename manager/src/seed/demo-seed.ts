import { defaultDailyCapMinor } from '../../../shared/billing/daily-cap';
import { defaultSipDomain, demoUsers } from '../../../shared/config/defaults';
import type { CurrencyCode } from '../../../shared/money/currency';
import { assertAssignableExtension } from '../../../shared/numbering/extension-range';
import { displayNameProblem } from '../../../shared/sip/display-name';
import { hashPassword } from '../auth/password-hashing';
import type { PaymentProvider } from '../payments/payment-provider';
import type { Repository, UserRow } from '../store/repository';
import type { WalletService } from '../wallet/wallet-service';

/**
 * The demo company "Cabine Démo", created once on an empty database: the users of
 * shared/config/defaults.ts (1001 Alice, admin; 1002 Bruno and 1003 Chloé, employees) plus a customer-care
 * operator. Demo passwords (documented in docs/manager.md; local stack only):
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

export async function seedDemo(args: { repository: Repository; wallet: WalletService; provider: PaymentProvider; currency: CurrencyCode; scryptLogN: number; now: number; sipDomain?: string }): Promise<boolean> {
  const store = args.repository.store;
  if (await store.getCompany(demoCompanyId)) return false;
  const users: UserRow[] = [];
  for (const [index, demo] of demoUsers.entries()) {
    // shared/numbering/extension-range.ts: never a short number of the company's country (FR 10YT...).
    assertAssignableExtension(demo.username, demoCompanyCountry);
    users.push({
      id: `usr_demo_${demo.username}`, companyId: demoCompanyId, email: demoEmails[demo.username] ?? `${demo.username}@cabine.test`,
      displayName: demo.displayName, role: index === 0 ? 'admin' : 'employee', extension: demo.username,
      passwordHash: await hashPassword(demo.password, args.scryptLogN), premiumBarred: index !== 0, createdAt: args.now,
    });
  }
  users.push({
    id: 'usr_demo_care', companyId: null, email: demoOperator.email, displayName: 'Cabine Customer Care', role: 'operator', extension: null,
    passwordHash: await hashPassword(demoOperator.password, args.scryptLogN), premiumBarred: false, createdAt: args.now,
  });
  for (const user of users) assertStorableDisplayName(user.displayName);
  const card = await args.provider.tokenizeCard({ number: '4242424242424242', expMonth: 12, expYear: new Date(args.now).getUTCFullYear() + 3, cvc: '123' });
  const created = await args.repository.transaction(async (tx) => {
    if (await tx.getCompany(demoCompanyId)) return false;
    await tx.insertCompany({
      id: demoCompanyId, name: 'Cabine Démo', currency: args.currency, country: demoCompanyCountry, sipDomain: args.sipDomain ?? defaultSipDomain, balanceMinor: 0, lastSeq: 0,
      autoRefillEnabled: false, autoRefillThresholdMinor: 500, autoRefillAmountMinor: 2500, autoRefillDeclines: 0, autoRefillDisabledReason: null,
      dailyCapMinor: defaultDailyCapMinor(args.currency), highRiskAllowed: false, createdAt: args.now,
    });
    for (const user of users) await tx.insertUser(user);
    await tx.upsertCard({ companyId: demoCompanyId, providerToken: card.token, brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear, updatedAt: args.now });
    return true;
  });
  if (created) {
    await args.wallet.topUp({ companyId: demoCompanyId, userId: 'usr_demo_1001', amountMinor: 2500, currency: args.currency, idempotencyKey: 'demo-seed-opening-topup' });
  }
  return created;
}
