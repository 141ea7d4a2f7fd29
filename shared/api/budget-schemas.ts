import { z } from 'zod';
import { maxMonthlyBudgetMinor } from '../billing/monthly-budget';
import { currencySchema, idSchema, nonNegativeAmountMinorSchema, timestampSchema } from './common-schemas';

/** An admin sets or clears one user's monthly budget for calls (shared/billing/monthly-budget.ts). */
export const budgetRequestSchema = z.strictObject({
  monthlyBudgetMinor: z.int().positive().max(maxMonthlyBudgetMinor).nullable().meta({
    description: 'Most the user\'s calls may be charged per UTC calendar month, in minor units; null for no budget.',
  }),
});
export type BudgetRequest = z.infer<typeof budgetRequestSchema>;

/** One user's budget and what is left of it this month. */
export const budgetViewSchema = z.strictObject({
  userId: idSchema,
  displayName: z.string(),
  extension: z.string().nullable(),
  currency: currencySchema,
  monthlyBudgetMinor: z.int().positive().nullable().meta({ description: 'Null: no budget (only the wallet and the daily cap limit the user).' }),
  spentThisMonthMinor: nonNegativeAmountMinorSchema.meta({ description: 'The user\'s call charges since the start of the UTC month.' }),
  reservedMinor: nonNegativeAmountMinorSchema.meta({ description: 'Held for the user\'s calls in progress.' }),
  leftMinor: nonNegativeAmountMinorSchema.nullable().meta({ description: 'Budget − spent − reserved, never below 0; null without a budget.' }),
  monthStart: timestampSchema,
  resetsAt: timestampSchema.meta({ description: 'Start of the next UTC month, when the budget is whole again.' }),
});
export type BudgetView = z.infer<typeof budgetViewSchema>;

export const budgetListResponseSchema = z.strictObject({ budgets: z.array(budgetViewSchema) });
export type BudgetListResponse = z.infer<typeof budgetListResponseSchema>;
