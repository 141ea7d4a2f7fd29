import type { FastifyInstance } from 'fastify';
import { formatRateAmount } from '../../../../shared/rating/rate-deck';
import { deckCountries, ratesForCountry } from '../../../../shared/rating/rate-index';
import type { RateCatalog } from '../../rating/rate-catalog';
import { html } from '../html';
import { sendPage } from '../page-reply';
import { requireCompanyUser } from '../session-guard';
import type { SessionReader } from '../web-context';

export interface RatesPageDeps {
  readonly auth: SessionReader;
  readonly rates: RateCatalog;
}

/** GET /prepaid/rates?country=: International Rates, a country picker and that country's rows of the deck. */
export function registerRatesPage(app: FastifyInstance, deps: RatesPageDeps): void {
  app.get('/prepaid/rates', async (request, reply) => {
    const who = await requireCompanyUser(request, reply, deps.auth);
    if (!who) return reply;
    const { web } = who;
    const t = web.t;
    const index = deps.rates.index;
    const countries = deckCountries(index);
    const requested = (request.query as Record<string, unknown>).country;
    const country = typeof requested === 'string' && countries.some((entry) => entry.country === requested) ? requested : null;
    const rows = country ? ratesForCountry(index, country) : [];
    const currency = index.deck.currency;
    return sendPage(reply, web, `/prepaid/rates${country ? `?country=${country}` : ''}`, t.internationalRates, html`
${deps.rates.sample ? html`<p class="notice" role="note">${t.sampleNotice}</p>` : ''}
<form method="get" action="/prepaid/rates"><label for="country">${t.country}</label>
<select id="country" name="country">${countries.map((entry) => html`<option value="${entry.country}" ${entry.country === country ? 'selected' : ''}>${entry.name} (${entry.country})</option>`)}</select>
<div><button type="submit">${t.show}</button></div></form>
${country ? html`<table><caption>${countries.find((entry) => entry.country === country)?.name ?? country} · ${currency} · ${index.deck.version}</caption>
<thead><tr><th scope="col">${t.prefix}</th><th scope="col">${t.destination}</th><th scope="col">${t.type}</th><th scope="col" class="num">${t.perMinute}</th><th scope="col" class="num">${t.connectionFee}</th><th scope="col">${t.increments}</th></tr></thead>
<tbody>${rows.map((row) => html`<tr><td>${row.prefix.includes(':') ? row.prefix.split(':')[1] : `+${row.prefix}`}</td><td>${row.destination}</td><td>${row.numberType}</td><td class="num">${formatRateAmount(row.pricePerMinute)} ${currency}</td><td class="num">${formatRateAmount(row.connectionFee)} ${currency}</td><td>${row.increment.first}/${row.increment.next}</td></tr>`)}</tbody></table>` : ''}`);
  });
}
