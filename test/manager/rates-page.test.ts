/**
 * The manager's International Rates page: countries found by name in English or French, by dialling code
 * or by a phone number (the company's country reads national numbers); destinations and number types in
 * the page's language. Real HTTP on SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, RunningManager } from './support/manager-harness';
import { startBackend, startManager } from './support/manager-harness';

describe('International Rates page', () => {
  let backend: Backend;
  let m: RunningManager;
  let session: string;

  /** Signs in through the web form (login CSRF double submit) and returns the session cookie. */
  const webSignIn = async (email: string, password: string): Promise<string> => {
    const form = await m.request('GET', '/sign-in');
    const csrfCookie = /cabine_login_csrf=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const csrf = /name="_csrf" value="([^"]+)"/.exec(String(form.body))?.[1] ?? '';
    const answer = await m.request('POST', '/sign-in', {
      headers: { cookie: `cabine_login_csrf=${csrfCookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: new URLSearchParams({ _csrf: csrf, email, password, next: '/prepaid/rates' }).toString(),
    });
    expect(answer.status).toBe(303);
    return /cabine_session=([^;]+)/.exec(answer.headers.get('set-cookie') ?? '')?.[1] ?? '';
  };

  beforeAll(async () => {
    backend = await startBackend('sqlite');
    m = await startManager(await backend.freshEnv());
    session = await webSignIn('alice@cabine.test', 'cabine-1001');
  });

  afterAll(async () => {
    await m.close();
    await backend.stop();
  });

  const page = async (query: string, lang: 'en' | 'fr') => {
    const answer = await m.request('GET', `/prepaid/rates?${query}`, { headers: { cookie: `cabine_session=${session}; cabine_lang=${lang}` } });
    expect(answer.status).toBe(200);
    return String(answer.body);
  };
  const caption = (text: string) => /<caption>([^<·]+)·/.exec(text)?.[1]?.trim();

  it('finds a country by its French or English name, accents and case ignored', async () => {
    expect(caption(await page(`q=${encodeURIComponent('allemagne')}`, 'fr'))).toBe('Allemagne');
    expect(caption(await page(`q=${encodeURIComponent('GERMANY')}`, 'fr'))).toBe('Allemagne');
    expect(caption(await page(`q=${encodeURIComponent('cote d ivoire')}`, 'en'))).toBe('Côte d’Ivoire');
    expect(caption(await page(`q=${encodeURIComponent('Royaume-Uni')}`, 'en'))).toBe('United Kingdom');
  });

  it('finds a country by a phone number, international or national, and lists every country of a shared code', async () => {
    expect(caption(await page(`q=${encodeURIComponent('+1 658 555 1234')}`, 'en'))).toBe('Jamaica');
    expect(caption(await page(`q=${encodeURIComponent('0262 12 34 56')}`, 'fr'))).toBe('La Réunion');
    const shared = await page(`q=${encodeURIComponent('+44')}`, 'en');
    expect(caption(shared)).toBeUndefined();
    for (const code of ['GB', 'GG', 'IM', 'JE']) expect(shared).toContain(`href="/prepaid/rates?country=${code}"`);
    expect(await page('q=zzzz', 'fr')).toContain('Aucun pays ne correspond.');
  });

  it('shows destinations and number types in the page language', async () => {
    const fr = await page('country=GB', 'fr');
    expect(fr).toContain('<td>Royaume-Uni</td><td>Mobile</td>');
    expect(fr).toContain('<td>Surtaxé</td>');
    expect(fr).not.toContain('United Kingdom - Mobile');
    const en = await page('country=GB', 'en');
    expect(en).toContain('<td>United Kingdom</td><td>Premium-rate</td>');
    expect(await page('country=FR', 'fr')).toContain('<td>France, numéros courts 118…</td><td>Renseignements</td>');
  });

  it("words a charged call's destination in the reader's language on the activity page and its receipt", async () => {
    const authorized = await m.proxy('/api/v1/calls/authorize', { callId: 'rates-page-1', callerExtension: '1001', dialed: '+44 7400 900123' });
    expect(authorized.body).toMatchObject({ allowed: true, charged: true });
    expect((await m.proxy('/api/v1/calls/complete', { callId: 'rates-page-1', answeredSeconds: 61 })).status).toBe(200);
    const fr = await m.request('GET', '/prepaid/activity', { headers: { cookie: `cabine_session=${session}; cabine_lang=fr` } });
    expect(String(fr.body)).toContain('+447400900123 · Royaume-Uni · Mobile');
    const en = await m.request('GET', '/prepaid/activity', { headers: { cookie: `cabine_session=${session}; cabine_lang=en` } });
    expect(String(en.body)).toContain('+447400900123 · United Kingdom · Mobile');
    const receiptPath = /href="(\/prepaid\/activity\/calls\/\d+)"/.exec(String(fr.body))?.[1] ?? '';
    const receipt = await m.request('GET', receiptPath, { headers: { cookie: `cabine_session=${session}; cabine_lang=fr` } });
    expect(String(receipt.body)).toContain('<dd data-testid="receipt-destination">Royaume-Uni · Mobile (+447)</dd>');
  });
});
