import type { Store } from '../store/repository';
import { demoCompanyId, demoEmails, demoOperator } from './demo-seed';

/** Reasons the database holds demo data (the seed's company or accounts); empty when it holds none. */
export async function demoDataProblems(store: Pick<Store, 'getCompany' | 'getUserByEmail'>): Promise<string[]> {
  const problems: string[] = [];
  if (await store.getCompany(demoCompanyId)) problems.push(`the database holds the demo company (${demoCompanyId})`);
  for (const email of [...Object.values(demoEmails), demoOperator.email]) {
    if (await store.getUserByEmail(email)) problems.push(`the database holds the demo account ${email}`);
  }
  return problems;
}
