import type { FastifyInstance } from 'fastify';
import { searchCountries } from '../../../../shared/numbering/country-search';
import { formatRateAmount } from '../../../../shared/rating/rate-deck';
import { deckCountries, ratesForCountry } from '../../../../shared/rating/rate-index';
import { rateDestinationLabel, rateLabels, rateTypeLabel } from '../../../../shared/rating/rate-labels';
import type { RateCatalog } from '../../rating/rate-catalog';
import type { Repository } from '../../store/repository';
import { html } from '../html';
import { sendPage } from '../page-reply';
import { requireCompanyUser } from '../session-guard';
import type { SessionReader } from '../web-context';

export interface RatesPageDeps {
  readonly auth: SessionReader;
  readonly rates: RateCatalog;
  /** For the company's country: national numbers typed in the search are read in it. */
  readonly store: Pick<Repository['store'], 'getCompany'>;
}

/**
 * GET /prepaid/rates?country=&q=: International Rates. A search box (a country's name in English or French,
 * a dialling code, or a phone number: shared/numbering/country-search.ts) and a country picker, then that
 * country's rows of the deck, destinations and types in the page's language.
 */
export function registerRatesPage(app: FastifyInstance, deps: RatesPageDeps): void {
  app.get('/prepaid/rates', async (request, reply) => {
    const who = await requireCompanyUser(request, reply, deps.auth);
    if (!who) return reply;
    const { web } = who;
    const companyCountry = (await deps.store.getCompany(who.companyId))?.country ?? 'FR';
    const t = web.t;
    const labels = rateLabels[web.lang];
    const index = deps.rates.index;
    const countries = deckCountries(index).map((entry) => ({ ...entry, name: rateDestinationLabel({ prefix: '', country: entry.country }, web.lang) }))
      .sort((a, b) => a.name.localeCompare(b.name, web.lang));
    const query = request.query as Record<string, unknown>;
    const search = typeof query.q === 'string' ? query.q.slice(0, 200) : '';
    const found = search.trim() === '' ? null : searchCountries(search, countries.map((entry) => entry.country), companyCountry);
    const requested = typeof query.country === 'string' ? query.country : found?.length === 1 ? found[0] : undefined;
    const country = requested !== undefined && countries.some((entry) => entry.country === requested) ? requested : null;
    const rows = country ? ratesForCountry(index, country) : [];
    const currency = index.deck.currency;
    const nameOf = (code: string): string => countries.find((entry) => entry.country === code)?.name ?? code;
    const path = `/prepaid/rates${country ? `?country=${country}` : ''}`;
    return sendPage(reply, web, path, t.internationalRates, html`
${deps.rates.sample ? html`<p class="notice" role="note">${t.sampleNotice}</p>` : ''}
<form method="get" action="/prepaid/rates" role="search"><label for="rates-q">${labels.search}</label>
<input id="rates-q" name="q" type="search" maxlength="200" value="${search}" aria-describedby="rates-q-hint" autocomplete="off">
<p id="rates-q-hint" class="hint">${labels.searchHint}</p>
<div><button type="submit">${labels.searchButton}</button></div></form>
${found !== null && found.length === 0 ? html`<p role="status">${labels.noMatch}</p>` : ''}
${found !== null && found.length > 1 ? html`<nav aria-label="${labels.matches}"><ul class="rate-matches">${found.map((code) => html`<li><a href="/prepaid/rates?country=${code}">${nameOf(code)} (${code})</a></li>`)}</ul></nav>` : ''}
<form method="get" action="/prepaid/rates"><label for="country">${t.country}</label>
<select id="country" name="country">${countries.map((entry) => html`<option value="${entry.country}" ${entry.country === country ? 'selected' : ''}>${entry.name} (${entry.country})</option>`)}</select>
<div><button type="submit">${t.show}</button></div></form>
${country ? html`<table><caption>${nameOf(country)} · ${currency} · ${index.deck.version}</caption>
<thead><tr><th scope="col">${t.prefix}</th><th scope="col">${t.destination}</th><th scope="col">${t.type}</th><th scope="col" class="num">${t.perMinute}</th><th scope="col" class="num">${t.connectionFee}</th><th scope="col">${t.increments}</th></tr></thead>
<tbody>${rows.map((row) => html`<tr><td>${row.prefix.includes(':') ? row.prefix.split(':')[1] : `+${row.prefix}`}</td><td>${rateDestinationLabel(row, web.lang)}</td><td>${rateTypeLabel(row.numberType, web.lang)}</td><td class="num">${formatRateAmount(row.pricePerMinute)} ${currency}</td><td class="num">${formatRateAmount(row.connectionFee)} ${currency}</td><td>${row.increment.first}/${row.increment.next}</td></tr>`)}</tbody></table>` : ''}`);
  });
}
