/**
 * Refill notices in the reader's language (issue 10, sections 1 and 4): the manager stores a notification's
 * code and values, and its pages word them in English or French: a declined refill and its next attempt,
 * refill turned off after declines in a row, and every attempt on the activity page. Real manager, real
 * HTTP (the pages' own sign-in form), SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningManager } from './support/manager-harness';
import { startManager, TestClock } from './support/manager-harness';
import { startBackend, type Backend } from './support/manager-harness';

const hour = 3_600_000;

/** Signs in through the pages' form and answers the session cookie. */
async function webSession(m: RunningManager, email: string, password: string): Promise<string> {
  const form = await fetch(`${m.baseUrl}/sign-in`);
  const csrfCookie = form.headers.getSetCookie().map((cookie) => cookie.split(';')[0] ?? '').find((cookie) => cookie.length > 0) ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const posted = await fetch(`${m.baseUrl}/sign-in`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ _csrf: csrf, email, password, next: '/prepaid' }).toString(),
  });
  expect(posted.status).toBe(303);
  const session = posted.headers.getSetCookie().map((cookie) => cookie.split(';')[0] ?? '').find((cookie) => cookie.startsWith('cabine_session='));
  if (!session) throw new Error('no session cookie');
  return session;
}

describe('refill notices on the manager\'s pages, in English and French', () => {
  let backend: Backend;
  let m: RunningManager;
  const clock = new TestClock(Date.UTC(2026, 11, 2, 9, 0, 0));

  beforeAll(async () => {
    backend = await startBackend('sqlite');
    m = await startManager(await backend.freshEnv(), { now: clock.now });
  });

  afterAll(async () => {
    await m.close();
    await backend.stop();
  });

  it('words a decline, its retry, the turning off and every attempt from codes, in the page\'s language', async () => {
    const token = await m.signIn('alice@cabine.test', 'cabine-1001');
    expect((await m.request('PUT', '/api/v1/wallet/card', { token, body: { number: '4000000000000002', expMonth: 12, expYear: 2099, cvc: '123' } })).status).toBe(200);
    // 25 EUR in the wallet, the level above it: turning refill on tries at once, and the card declines.
    expect((await m.request('PUT', '/api/v1/wallet/auto-refill', { token, body: { enabled: true, thresholdMinor: 5000, amountMinor: 2500 } })).status).toBe(200);
    await m.manager.context.wallet.settle();
    let cookie = await webSession(m, 'alice@cabine.test', 'cabine-1001');
    const page = async (path: string, language: string) => {
      const response = await fetch(`${m.baseUrl}${path}`, { headers: { cookie, 'accept-language': language }, redirect: 'manual' });
      expect(response.status).toBe(200);
      return response.text();
    };
    const en = await page('/prepaid', 'en-GB');
    expect(en).toContain('Automatic refill declined: the card was declined (1 in a row). Next attempt 02/12/2026, 10:00 UTC.');
    expect(en).toContain('Next attempt 02/12/2026, 10:00 UTC.');
    const fr = await page('/prepaid', 'fr-FR');
    expect(fr).toContain('Recharge automatique refusée : la carte a été refusée (1 de suite). Prochaine tentative 02/12/2026 10:00 UTC.');
    expect(fr).not.toContain('declined by the card');

    // The retries (1 h, 6 h, 24 h) decline too; after the fourth decline refill turns itself off.
    for (const delay of [1, 6, 24]) {
      clock.advance(delay * hour);
      expect(await m.manager.context.wallet.runDueRefills()).toBe(1);
    }
    // A day and more went by: the web session (12 h) is over, sign in again.
    cookie = await webSession(m, 'alice@cabine.test', 'cabine-1001');
    const frOff = await page('/prepaid', 'fr-FR');
    expect(frOff).toContain('La recharge automatique s’est désactivée après 4 paiements refusés de suite.');
    expect(frOff).toContain('Désactivée d’elle-même après 4 paiements refusés de suite.');
    expect(await page('/prepaid/settings', 'en-GB')).toContain('Turned itself off after 4 declined payments in a row.');
    expect(await page('/prepaid/settings', 'fr-FR')).toContain('Désactivée d’elle-même après 4 paiements refusés de suite.');

    const activity = await page('/prepaid/activity', 'fr-FR');
    expect(activity).toContain('Tentatives de recharge automatique');
    expect(activity.match(/data-refill-status="declined"/g)).toHaveLength(4);
    expect(activity).toContain('Refusée · la carte a été refusée');
    expect(activity).toContain('réglages enregistrés · tentative 1');
    expect(activity).toContain('nouvelle tentative · tentative 4');
    expect(await page('/prepaid/activity', 'en-GB')).toContain('Declined · the card was declined');
  });
});
