/**
 * Company extensions: which short strings are a colleague's extension rather than a number of the public
 * network. One rule, used by the dialer (shared/dial), the classifier, and the manager wherever an
 * extension is assigned (seed, configuration, user create/update), so a short code of the company's country
 * can never be read as an extension, nor an extension as a short code.
 *
 * The range: four digits starting with 1 or 2 (the proxy's CABINE_EXTENSION_RE, deploy/kamailio-config.ts),
 * minus every emergency and short number of the company's country (shared/numbering/short-numbers.ts): in
 * France that removes the 10YT operator block (1010-1099).
 */
import { emergencyNumbersFor } from './emergency-numbers';
import { shortNumberClassOf } from './short-numbers';

/** The extension syntax, before the country's short numbers are taken out. */
export const extensionSyntax: RegExp = /^[12]\d{3}$/;

/** Why a string cannot be an extension in a company of `country`. */
export type ExtensionProblem = 'format' | 'short-number';

/** Null when `extension` may be assigned in a company of `country`; otherwise why not. */
export function extensionProblem(extension: string, country: string): ExtensionProblem | null {
  if (typeof extension !== 'string' || !extensionSyntax.test(extension)) return 'format';
  if (emergencyNumbersFor(country).includes(extension) || shortNumberClassOf(extension, country) !== null) return 'short-number';
  return null;
}

/** Whether dialled `digits` are an extension of a company of `country`. */
export function isExtensionFor(digits: string, country: string): boolean {
  return extensionProblem(digits, country) === null;
}

/** Thrown by `assertAssignableExtension`. */
export class ExtensionRangeError extends Error {
  constructor(readonly extension: string, readonly country: string, readonly problem: ExtensionProblem) {
    super(
      problem === 'format'
        ? `Extension ${JSON.stringify(extension.slice(0, 20))} refused: four digits starting with 1 or 2`
        : `Extension ${extension} refused: it is a short number in ${country}`,
    );
    this.name = 'ExtensionRangeError';
  }
}

/** Throws `ExtensionRangeError` unless `extension` may be assigned in a company of `country`. */
export function assertAssignableExtension(extension: string, country: string): void {
  const problem = extensionProblem(extension, country);
  if (problem !== null) throw new ExtensionRangeError(extension, country, problem);
}

/**
 * The extension range of `country` as a POSIX extended regular expression (Kamailio's `=~`), matching
 * exactly the strings `isExtensionFor` accepts, e.g. for France `^(100[0-9]|1[1-9][0-9][0-9]|2[0-9][0-9][0-9])$`.
 * For the proxy's CABINE_EXTENSION_RE (deploy/kamailio-config.ts), so it too never routes a short number to
 * a registered user.
 */
export function extensionRegexFor(country: string): string {
  const digits = '0123456789';
  const alternatives: string[] = [];
  for (const first of ['1', '2']) {
    const all = [...digits].every((b) => [...digits].every((c) => [...digits].every((d) => isExtensionFor(`${first}${b}${c}${d}`, country))));
    if (all) {
      alternatives.push(`${first}[0-9][0-9][0-9]`);
      continue;
    }
    for (const second of digits) {
      const head = `${first}${second}`;
      if ([...digits].every((c) => [...digits].every((d) => isExtensionFor(`${head}${c}${d}`, country)))) {
        alternatives.push(`${head}[0-9][0-9]`);
        continue;
      }
      for (const third of digits) {
        const units = [...digits].filter((d) => isExtensionFor(`${head}${third}${d}`, country)).join('');
        if (units.length === 10) alternatives.push(`${head}${third}[0-9]`);
        else if (units.length > 0) alternatives.push(`${head}${third}[${units}]`);
      }
    }
  }
  return `^(${alternatives.join('|')})$`;
}
