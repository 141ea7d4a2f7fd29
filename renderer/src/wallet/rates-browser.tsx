import { memo, useEffect, useId, useMemo, useState } from 'react';
import type { RatesResponse } from '../../../shared/api/rate-schemas.js';
import type { RateCountry } from '../../../shared/host/host-bridge.js';
import { searchCountries } from '../../../shared/numbering/country-search.js';
import { rateDestinationLabel, rateLabels, rateLabelLanguage, rateTypeLabel } from '../../../shared/rating/rate-labels.js';
import { countryName } from '../i18n/format.js';
import { useWalletT } from '../i18n/use-wallet-t.js';
import { useStoreSelect } from '../state/use-store.js';
import { usePhone } from '../ui/phone-context.js';
import { useWallet } from './wallet-context.js';
import { formatRate } from './wallet-format.js';

type RatesView = { readonly phase: 'none' } | { readonly phase: 'loading' } | { readonly phase: 'failed' } | { readonly phase: 'loaded'; readonly rates: RatesResponse };

/**
 * International Rates: find a country by its name in English or French, its dialling code or a phone
 * number (shared/numbering/country-search.ts, as the manager's page does), or pick it, and see every rate
 * for it, destinations and types in the UI language (help page: "Voir Tarif").
 */
export const RatesBrowser = memo(function RatesBrowser() {
  const wallet = useWallet();
  const phone = usePhone();
  const { t, language } = useWalletT();
  // Only the two values it shows from the stores: reading the whole wallet store re-rendered this list
  // (22-24 ms) on every gate and quote change, right between the Call click and the INVITE.
  const defaultCountry = useStoreSelect(phone.settings, (state) => state.settings.defaultCountry);
  const companyCountry = useStoreSelect(wallet.store, (state) => state.session?.company?.country ?? null);
  const id = useId();
  const [countries, setCountries] = useState<readonly RateCountry[]>([]);
  const [country, setCountry] = useState('');
  const [search, setSearch] = useState('');
  const [view, setView] = useState<RatesView>({ phase: 'none' });
  const labels = rateLabels[rateLabelLanguage(language)];
  // National numbers typed in the search are read as the company's (the manager's) country reads them.
  const callerCountry = companyCountry ?? defaultCountry;

  useEffect(() => {
    let live = true;
    void wallet.rateCountries().then((result) => {
      if (live && result.ok) setCountries(result.value);
    });
    return () => {
      live = false;
    };
  }, [wallet]);

  const choose = (code: string): void => {
    setCountry(code);
    if (code === '') {
      setView({ phase: 'none' });
      return;
    }
    setView({ phase: 'loading' });
    void wallet.rates(code).then((result) => setView(result.ok ? { phase: 'loaded', rates: result.value } : { phase: 'failed' }));
  };

  const sorted = useMemo(
    () => [...countries].sort((a, b) => countryName(a.country, language).localeCompare(countryName(b.country, language), language)),
    [countries, language],
  );
  const found = search.trim() === '' ? null : searchCountries(search, sorted.map((entry) => entry.country), callerCountry);
  const shown = found === null ? sorted : sorted.filter((entry) => found.includes(entry.country)).sort((a, b) => found.indexOf(a.country) - found.indexOf(b.country));

  const onSearch = (text: string): void => {
    setSearch(text);
    const matches = text.trim() === '' ? null : searchCountries(text, sorted.map((entry) => entry.country), callerCountry);
    // One country found: show it straight away.
    if (matches?.length === 1 && matches[0] !== undefined && matches[0] !== country) choose(matches[0]);
  };

  return (
    <details className="wallet-rates">
      <summary>
        <h3>{t('rates.heading')}</h3>
      </summary>
      <div role="search">
        <label htmlFor={`${id}-search`}>{labels.search}</label>
        <input
          id={`${id}-search`}
          type="search"
          value={search}
          maxLength={200}
          autoComplete="off"
          aria-describedby={`${id}-search-hint`}
          onChange={(e) => onSearch(e.target.value)}
        />
        <p id={`${id}-search-hint`} className="hint">
          {labels.searchHint}
        </p>
        {found !== null && found.length === 0 ? <p role="status">{labels.noMatch}</p> : null}
      </div>
      <label htmlFor={`${id}-country`}>{t('rates.country')}</label>
      <select id={`${id}-country`} value={country} onChange={(e) => choose(e.target.value)}>
        <option value="">{t('rates.choose')}</option>
        {shown.map((entry) => (
          <option key={entry.country} value={entry.country}>
            {countryName(entry.country, language)}
          </option>
        ))}
      </select>
      {view.phase === 'loading' ? <p aria-live="polite">{t('rates.loading')}</p> : null}
      {view.phase === 'failed' ? <p role="alert">{t('rates.failed')}</p> : null}
      {view.phase === 'loaded' ? (
        <>
          {view.rates.sample ? <p className="hint">{t('rates.sample')}</p> : null}
          <table className="rates-table">
            <caption>{t('rates.caption', { country: countryName(view.rates.country, language) })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('rates.column.destination')}</th>
                <th scope="col">{t('rates.column.type')}</th>
                <th scope="col">{t('rates.column.prefix')}</th>
                <th scope="col" className="num">
                  {t('rates.column.perMinute')}
                </th>
                <th scope="col" className="num">
                  {t('rates.column.fee')}
                </th>
                <th scope="col">{t('rates.column.increment')}</th>
              </tr>
            </thead>
            <tbody>
              {view.rates.rates.map((rate) => {
                const [first, next] = rate.increment.split('/');
                return (
                  <tr key={`${rate.prefix}-${rate.numberType}`}>
                    <td>{rateDestinationLabel(rate, language)}</td>
                    <td>{rateTypeLabel(rate.numberType, language)}</td>
                    <td>{rate.prefix.includes(':') ? rate.prefix.split(':')[1] : `+${rate.prefix}`}</td>
                    <td className="num">{formatRate(rate.pricePerMinute.decimal, view.rates.currency, language)}</td>
                    <td className="num">{formatRate(rate.connectionFee.decimal, view.rates.currency, language)}</td>
                    <td>{t('rates.increment', { first: first ?? '60', next: next ?? '60' })}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
    </details>
  );
});
