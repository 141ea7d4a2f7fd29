import { useEffect, useState } from 'react';
import type { BudgetView } from '../../../shared/api/budget-schemas.js';
import { useBudgetT } from '../i18n/use-budget-t.js';
import { useStoreSelect } from '../state/use-store.js';
import { useWallet } from './wallet-context.js';
import { formatMoney } from './wallet-format.js';

/**
 * What the signed-in employee's monthly budget leaves (GET /api/v1/budget), in the wallet panel: nothing
 * when they have no budget. Fetched again whenever the balance changes (a charge, a top-up), so it follows
 * each call's charge; the manager enforces it (authorize refuses `monthly_budget`), this only shows it.
 */
export function BudgetLeft() {
  const wallet = useWallet();
  const { t, language } = useBudgetT();
  // The balance as a change signal: every charge moves it.
  const balanceMinor = useStoreSelect(wallet.store, (state) => state.balance?.balanceMinor ?? null);
  const [view, setView] = useState<BudgetView | null>(null);

  useEffect(() => {
    let current = true;
    void wallet.budget().then((result) => {
      if (current && result.ok) setView(result.value);
    });
    return () => {
      current = false;
    };
  }, [wallet, balanceMinor]);

  if (view === null || view.monthlyBudgetMinor === null || view.leftMinor === null) return null;
  const money = (minor: number) => formatMoney(minor, view.currency, language);
  // The budget is whole again at the start of the next UTC month; the last day of this one is shown.
  const lastDay = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(Date.parse(view.resetsAt) - 1));
  return (
    <p className="wallet-budget" data-testid="budget-left" data-left-minor={view.leftMinor}>
      {t('budget.left', { left: money(view.leftMinor), budget: money(view.monthlyBudgetMinor), resets: lastDay })}{' '}
      <span className="hint">{t('budget.spent', { spent: money(view.spentThisMonthMinor) })}</span>
    </p>
  );
}
