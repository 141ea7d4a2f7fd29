import { z } from 'zod';
import { barringCountries, outsideCallScopes } from '../billing/barring';
import { countrySchema, idSchema } from './common-schemas';

/**
 * One user's outside-call scope (shared/billing/barring.ts). Admins only; another company's user is 404.
 * `countries` lists ISO 3166-1 alpha-2 codes, required (at least one) with scope `countries` and empty
 * with the other scopes.
 */
export const outsideCallsSettingSchema = z
  .strictObject({
    scope: z.enum(outsideCallScopes).meta({ description: 'plan: only calls the plan includes (nothing from the wallet); countries: also wallet calls to `countries`; all: no limit.' }),
    countries: z.array(countrySchema.refine((code) => barringCountries.has(code), 'not a country Cabine can call')).max(250).default([]),
  })
  .superRefine((setting, context) => {
    if (setting.scope === 'countries' && setting.countries.length === 0) context.addIssue({ code: 'custom', path: ['countries'], message: 'list at least one country' });
    if (setting.scope !== 'countries' && setting.countries.length > 0) context.addIssue({ code: 'custom', path: ['countries'], message: 'only with scope "countries"' });
    if (new Set(setting.countries).size !== setting.countries.length) context.addIssue({ code: 'custom', path: ['countries'], message: 'each country once' });
  });
export type OutsideCallsSetting = z.infer<typeof outsideCallsSettingSchema>;

export const outsideCallsViewSchema = z.strictObject({
  userId: idSchema,
  scope: z.enum(outsideCallScopes),
  countries: z.array(countrySchema),
  premiumBarred: z.boolean().meta({ description: 'The separate paid-service switch (PUT /users/:id/barring), shown for completeness.' }),
});
export type OutsideCallsView = z.infer<typeof outsideCallsViewSchema>;
