/**
 * The balance announcement's text and prompts (manager/src/announcements): words for amounts and minutes in
 * English and French, the company's language, prompts rendered by the real espeak-ng into a cache, and the
 * authorize answer's announcement fields (never for calls the wallet does not pay, never in a call's way).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthorizeCallResponse } from '../../shared/api/call-schemas';
import { announcementLanguage, announcementText, spokenAmount } from '../../manager/src/announcements/announcement-text';
import { createCallAnnouncer, promptPathPattern } from '../../manager/src/announcements/call-announcement';
import { createPromptCache, parsePcmWav, wavDurationMs, type PromptCache } from '../../manager/src/announcements/prompt-cache';

describe('announcement text', () => {
  it('says amounts in words of the currency, in English and French', () => {
    expect(spokenAmount(2500, 'EUR', 'en')).toBe('25 euros');
    expect(spokenAmount(2487, 'EUR', 'en')).toBe('24 euros and 87 cents');
    expect(spokenAmount(2487, 'EUR', 'fr')).toBe('24 euros et 87 centimes');
    expect(spokenAmount(101, 'EUR', 'fr')).toBe('1 euro et 1 centime');
    expect(spokenAmount(5, 'GBP', 'en')).toBe('5 pence');
    expect(spokenAmount(1500, 'JPY', 'en')).toBe('1500 yen');
    expect(spokenAmount(0, 'CHF', 'fr')).toBe('0 francs suisses');
  });

  it('refuses amounts that are not non-negative integers of minor units', () => {
    expect(() => spokenAmount(-1, 'EUR', 'en')).toThrow(RangeError);
    expect(() => spokenAmount(12.5, 'EUR', 'en')).toThrow(RangeError);
  });

  it('states the balance and the whole minutes the call can last', () => {
    expect(announcementText({ language: 'en', balanceMinor: 2487, currency: 'EUR', fundedSeconds: 8_999 })).toBe(
      'Your account balance is 24 euros and 87 cents. This call can last up to 149 minutes.',
    );
    expect(announcementText({ language: 'fr', balanceMinor: 2500, currency: 'EUR', fundedSeconds: 60 })).toBe(
      'Le solde de votre compte est de 25 euros. Cet appel peut durer jusqu’à 1 minute.',
    );
    expect(announcementText({ language: 'fr', balanceMinor: 3, currency: 'EUR', fundedSeconds: 59 })).toContain('moins d’une minute');
    expect(announcementText({ language: 'en', balanceMinor: 3, currency: 'EUR', fundedSeconds: 0 })).toContain('less than one minute');
  });

  it('speaks French to companies in France, Monaco and the French overseas territories, English elsewhere', () => {
    expect(['FR', 'fr', 'MC', 'RE', 'GP', 'NC'].map(announcementLanguage)).toEqual(['fr', 'fr', 'fr', 'fr', 'fr', 'fr']);
    expect(['GB', 'BE', 'CH', 'US', 'DE'].map(announcementLanguage)).toEqual(['en', 'en', 'en', 'en', 'en']);
  });
});

describe('prompts rendered by espeak-ng', () => {
  let dir: string;
  let cache: PromptCache;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cabine-prompts-'));
    cache = createPromptCache({ dir, leadSilenceMs: 700 });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('renders a WAV per language and text, silence first, and its length', async () => {
    const fr = await cache.render('fr', 'Le solde de votre compte est de 25 euros.');
    const en = await cache.render('en', 'Your account balance is 25 euros.');
    expect(fr.file).toMatch(promptPathPattern);
    expect(fr.file).not.toBe(en.file);
    for (const prompt of [fr, en]) {
      const wav = parsePcmWav(await readFile(prompt.file));
      expect(wavDurationMs(wav)).toBe(prompt.durationMs);
      expect(prompt.durationMs).toBeGreaterThan(1_500);
      // 700 ms of silence, then speech.
      const leadBytes = Math.floor((wav.sampleRate * 0.7)) * 2;
      expect(wav.data.subarray(0, leadBytes).every((byte) => byte === 0)).toBe(true);
      expect(wav.data.subarray(leadBytes).some((byte) => byte !== 0)).toBe(true);
    }
    expect(fr.durationMs).not.toBe(en.durationMs);
  });

  it('renders a text once: concurrent and later requests get the same file', async () => {
    const text = 'Your account balance is 3 euros and 10 cents.';
    const [a, b] = await Promise.all([cache.render('en', text), cache.render('en', text)]);
    const c = await cache.render('en', text);
    expect(new Set([a.file, b.file, c.file]).size).toBe(1);
    expect((await readdir(dir)).filter((name) => name.endsWith('.part'))).toEqual([]);
  });

  it('keeps at most maxFiles prompts, dropping the oldest', async () => {
    const small = await mkdtemp(join(tmpdir(), 'cabine-prompts-small-'));
    try {
      const capped = createPromptCache({ dir: small, maxFiles: 2 });
      const first = await capped.render('en', 'One euro.');
      await capped.render('en', 'Two euros.');
      const third = await capped.render('en', 'Three euros.');
      const left = (await readdir(small)).filter((name) => name.endsWith('.wav'));
      expect(left).toHaveLength(2);
      expect(left).toContain(third.file.slice(small.length + 1));
      expect(left).not.toContain(first.file.slice(small.length + 1));
    } finally {
      await rm(small, { recursive: true, force: true });
    }
  });

  it('fails clearly when espeak-ng cannot run', async () => {
    const broken = createPromptCache({ dir, espeak: '/nonexistent/espeak-ng' });
    await expect(broken.render('en', 'Hello there.')).rejects.toThrow(/espeak-ng failed/);
  });
});

describe('the authorize answer’s announcement', () => {
  const answer = (charged: boolean, allowed = true): AuthorizeCallResponse => ({
    allowed, reason: allowed ? 'ok' : 'insufficient_funds', callId: 'c1~s1', kind: 'international', charged, e164: '+447400900123',
    maxDurationSeconds: 600, reservedMinor: 100, currency: 'EUR', balanceMinor: 2500, prefix: '447', deckVersion: 'v1',
  });
  const warnings: string[] = [];
  const log = { warn: (_object: object, message: string) => void warnings.push(message) };
  const rendered: { language: string; text: string }[] = [];
  const prompts: PromptCache = {
    render: (language, text) => {
      rendered.push({ language, text });
      return Promise.resolve({ file: '/var/lib/cabine/prompts/abc.wav', durationMs: 5_000 });
    },
  };

  it('names the prompt of a call the wallet pays, in the company’s language', async () => {
    const announce = createCallAnnouncer({ prompts, countryOf: () => Promise.resolve('FR'), log });
    expect(await announce(answer(true), 'cabine.test')).toEqual({ announcement: '/var/lib/cabine/prompts/abc.wav', announcementMs: 5_000 });
    expect(rendered.at(-1)).toEqual({ language: 'fr', text: 'Le solde de votre compte est de 25 euros. Cet appel peut durer jusqu’à 10 minutes.' });
  });

  it('announces nothing for included or refused calls', async () => {
    const announce = createCallAnnouncer({ prompts, countryOf: () => Promise.resolve('FR'), log });
    const before = rendered.length;
    expect(await announce(answer(false), 'cabine.test')).toBeNull();
    expect(await announce(answer(true, false), 'cabine.test')).toBeNull();
    expect(rendered.length).toBe(before);
  });

  it('lets the call go ahead unannounced when the prompt is late, fails, or has a path the proxy would refuse', async () => {
    const late = createCallAnnouncer({ prompts: { render: () => new Promise(() => undefined) }, countryOf: () => Promise.resolve('GB'), log, budgetMs: 50 });
    expect(await late(answer(true), undefined)).toBeNull();
    const failing = createCallAnnouncer({ prompts: { render: () => Promise.reject(new Error('disk full')) }, countryOf: () => Promise.resolve('GB'), log });
    expect(await failing(answer(true), undefined)).toBeNull();
    const odd = createCallAnnouncer({ prompts: { render: () => Promise.resolve({ file: '/tmp/a b;c.wav', durationMs: 10 }) }, countryOf: () => Promise.resolve('GB'), log });
    expect(await odd(answer(true), undefined)).toBeNull();
    expect(warnings.length).toBeGreaterThanOrEqual(3);
  });
});
