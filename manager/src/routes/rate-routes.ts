import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../../shared/api/endpoints';
import { deckCountries, ratesForCountry } from '../../../shared/rating/rate-index';
import { callBarringOf } from '../company/company-settings';
import { budgetLeftFor } from '../budgets/monthly-budgets';
import { ApiError } from '../http/api-error';
import { apiRoute, companyIdOf } from '../http/api-route';
import type { ManagerContext } from '../http/manager-context';
import { buildQuote, rateView } from '../rating/rate-views';

/** Quotes and the international rate lists. */
export function registerRateRoutes(app: FastifyInstance, ctx: ManagerContext): void {
  const index = ctx.rates.index;

  apiRoute(app, ctx, endpoints.rateCountries, () => Promise.resolve({ countries: deckCountries(index) }));

  apiRoute(app, ctx, endpoints.rates, ({ query }) => {
    const rows = ratesForCountry(index, query.country);
    if (rows.length === 0) throw new ApiError(404, 'not_found', `No rates for ${query.country}`);
    return Promise.resolve({ country: query.country, currency: index.deck.currency, deckVersion: index.deck.version, sample: ctx.rates.sample, rates: rows.map(rateView) });
  });

  apiRoute(app, ctx, endpoints.quote, async ({ principal, query }) => {
    const companyId = companyIdOf(principal);
    const company = await ctx.repository.store.getCompany(companyId);
    if (!company) throw new ApiError(404, 'not_found', 'No such company');
    const wallet = await ctx.wallet.walletView(companyId);
    const barring = await callBarringOf(ctx.repository.store, principal.user);
    // The caller's monthly budget, counted as authorize counts it (this call holds nothing yet).
    const budgetLeftMinor = await budgetLeftFor(ctx.repository.store, principal.user.id, ctx.now(), 0);
    return buildQuote({ number: query.number, company, barring, wallet, budgetLeftMinor, rates: ctx.rates, plan: ctx.plan, maxCallSeconds: ctx.config.maxCallSeconds });
  });
}
