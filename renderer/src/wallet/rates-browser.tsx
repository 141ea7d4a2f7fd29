import { useEffect, useId, useState } from 'react';
import type { RatesResponse } from '../../../shared/api/rate-schemas.js';
import type { RateCountry } from '../../../shared/host/host-bridge.js';
import { countryName } from '../i18n/format.js';
import { useWalletT } from '../i18n/use-wallet-t.js';
import { useWallet } from './wallet-context.js';
import { formatRate } from './wallet-format.js';

type RatesView = { readonly phase: 'none' } | { readonly phase: 'loading' } | { readonly phase: 'failed' } | { readonly phase: 'loaded'; readonly rates: RatesResponse };

/** International Rates: pick a country, see every rate for it (help page: "Voir Tarif"). */
export function RatesBrowser() {
  const wallet = useWallet();
  const { t, language } = useWalletT();
  const id = useId();
  const [countries, setCountries] = useState<readonly RateCountry[]>([]);
  const [country, setCountry] = useState('');
  const [view, setView] = useState<RatesView>({ phase: 'none' });

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

  const sorted = [...countries].sort((a, b) => countryName(a.country, language).localeCompare(countryName(b.country, language), language));

  return (
    <details className="wallet-rates">
      <summary>
        <h3>{t('rates.heading')}</h3>
      </summary>
      <label htmlFor={`${id}-country`}>{t('rates.country')}</label>
      <select id={`${id}-country`} value={country} onChange={(e) => choose(e.target.value)}>
        <option value="">{t('rates.choose')}</option>
        {sorted.map((entry) => (
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
                    <td>{rate.destination}</td>
                    <td>{t(`rates.type.${rate.numberType}`)}</td>
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
}
