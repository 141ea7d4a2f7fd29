/**
 * What the caller hears before a paid call connects (help page: "anytime an employee makes a call that will
 * tap into the Prepaid Account's funds they will hear the remaining account balance before the call
 * connects"): the balance, then how long this call can last with it, in the company's language. Pure: the
 * prompt renderer (prompt-cache.ts) speaks it, the proxy plays it (docs/sip-server.md, "Balance announcement").
 */
import type { CurrencyCode } from '../../../shared/money/currency';
import { minorUnitExponent } from '../../../shared/money/currency';

/** The languages prompts are spoken in. */
export type AnnouncementLanguage = 'en' | 'fr';

/**
 * Countries whose companies hear French prompts: France with its overseas departments and collectivities,
 * and Monaco. Every other company hears English (the two languages the product ships in).
 */
const frenchCountries: ReadonlySet<string> = new Set(['FR', 'MC', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF', 'NC', 'PF', 'WF']);

/** The language of a company's prompts, from its country (ISO 3166-1 alpha-2). */
export function announcementLanguage(country: string): AnnouncementLanguage {
  return frenchCountries.has(country.toUpperCase()) ? 'fr' : 'en';
}

interface UnitNames {
  readonly one: string;
  readonly many: string;
}

interface CurrencyWords {
  readonly major: UnitNames;
  /** Absent for currencies without minor units (JPY). */
  readonly minor?: UnitNames;
}

const currencyWords: Readonly<Record<AnnouncementLanguage, Readonly<Record<CurrencyCode, CurrencyWords>>>> = {
  en: {
    EUR: { major: { one: 'euro', many: 'euros' }, minor: { one: 'cent', many: 'cents' } },
    USD: { major: { one: 'dollar', many: 'dollars' }, minor: { one: 'cent', many: 'cents' } },
    CAD: { major: { one: 'Canadian dollar', many: 'Canadian dollars' }, minor: { one: 'cent', many: 'cents' } },
    GBP: { major: { one: 'pound', many: 'pounds' }, minor: { one: 'penny', many: 'pence' } },
    CHF: { major: { one: 'Swiss franc', many: 'Swiss francs' }, minor: { one: 'centime', many: 'centimes' } },
    DKK: { major: { one: 'Danish krone', many: 'Danish kroner' }, minor: { one: 'øre', many: 'øre' } },
    NOK: { major: { one: 'Norwegian krone', many: 'Norwegian kroner' }, minor: { one: 'øre', many: 'øre' } },
    SEK: { major: { one: 'Swedish krona', many: 'Swedish kronor' }, minor: { one: 'öre', many: 'öre' } },
    PLN: { major: { one: 'zloty', many: 'zlotys' }, minor: { one: 'grosz', many: 'groszy' } },
    JPY: { major: { one: 'yen', many: 'yen' } },
  },
  fr: {
    EUR: { major: { one: 'euro', many: 'euros' }, minor: { one: 'centime', many: 'centimes' } },
    USD: { major: { one: 'dollar', many: 'dollars' }, minor: { one: 'cent', many: 'cents' } },
    CAD: { major: { one: 'dollar canadien', many: 'dollars canadiens' }, minor: { one: 'cent', many: 'cents' } },
    GBP: { major: { one: 'livre sterling', many: 'livres sterling' }, minor: { one: 'penny', many: 'pence' } },
    CHF: { major: { one: 'franc suisse', many: 'francs suisses' }, minor: { one: 'centime', many: 'centimes' } },
    DKK: { major: { one: 'couronne danoise', many: 'couronnes danoises' }, minor: { one: 'øre', many: 'øre' } },
    NOK: { major: { one: 'couronne norvégienne', many: 'couronnes norvégiennes' }, minor: { one: 'øre', many: 'øre' } },
    SEK: { major: { one: 'couronne suédoise', many: 'couronnes suédoises' }, minor: { one: 'öre', many: 'öre' } },
    PLN: { major: { one: 'zloty', many: 'zlotys' }, minor: { one: 'grosz', many: 'groszy' } },
    JPY: { major: { one: 'yen', many: 'yens' } },
  },
};

const unit = (count: number, names: UnitNames): string => `${count} ${count === 1 ? names.one : names.many}`;

/** "12 euros and 40 cents" / "12 euros et 40 centimes" (integer minor units in, words out). */
export function spokenAmount(amountMinor: number, currency: CurrencyCode, language: AnnouncementLanguage): string {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) throw new RangeError(`amountMinor must be a non-negative safe integer, got ${amountMinor}`);
  const words = currencyWords[language][currency];
  const factor = 10 ** minorUnitExponent(currency);
  const major = Math.floor(amountMinor / factor);
  const minor = amountMinor % factor;
  if (words.minor === undefined || minor === 0) return unit(major, words.major);
  if (major === 0) return unit(minor, words.minor);
  return `${unit(major, words.major)} ${language === 'fr' ? 'et' : 'and'} ${unit(minor, words.minor)}`;
}

/** What the announcement says about the call's length: the whole minutes its funds buy. */
function spokenDuration(fundedSeconds: number, language: AnnouncementLanguage): string {
  const minutes = Math.floor(fundedSeconds / 60);
  if (language === 'fr') {
    return minutes < 1 ? 'Cet appel peut durer moins d’une minute.' : `Cet appel peut durer jusqu’à ${unit(minutes, { one: 'minute', many: 'minutes' })}.`;
  }
  return minutes < 1 ? 'This call can last less than one minute.' : `This call can last up to ${unit(minutes, { one: 'minute', many: 'minutes' })}.`;
}

/** The facts an announcement states. */
export interface AnnouncementFacts {
  readonly language: AnnouncementLanguage;
  /** The wallet's balance at authorization, before this call is charged. */
  readonly balanceMinor: number;
  readonly currency: CurrencyCode;
  /** The longest this call may last (the manager's maxDurationSeconds: funds, daily cap, service maximum). */
  readonly fundedSeconds: number;
}

/** The sentence spoken before a paid call connects. */
export function announcementText(facts: AnnouncementFacts): string {
  const balance = spokenAmount(facts.balanceMinor, facts.currency, facts.language);
  const opening = facts.language === 'fr' ? `Le solde de votre compte est de ${balance}.` : `Your account balance is ${balance}.`;
  return `${opening} ${spokenDuration(facts.fundedSeconds, facts.language)}`;
}
