/**
 * Contacts as one list (company directory and personal contacts), searched by name, extension or number
 * with accents and case ignored, and matched against a dialled number for the call history. Pure
 * functions: contacts-store.ts and the tests call them directly.
 */
import { assertNever } from '../../../shared/assert-never.js';
import type { DirectoryResponse } from '../../../shared/api/directory-schemas.js';
import type { PersonalContact } from '../../../shared/contacts/personal-contact.js';
import { parseDialString } from '../../../shared/dial/dial-string.js';
import type { DialCountry } from '../../../shared/settings.js';

export type ContactKind = 'person' | 'group' | 'number' | 'personal';

export interface ContactEntry {
  /** Unique in the list: kind and id. */
  readonly key: string;
  readonly kind: ContactKind;
  readonly name: string;
  readonly extension: string | null;
  readonly numbers: readonly string[];
  /** What Call dials: a colleague's extension, a group's or a company line's number, the personal number. */
  readonly dial: string;
  /** The personal contact's id (edit, remove); null for the directory's entries. */
  readonly personalId: string | null;
}

/** Lower case, accents removed (NFD then combining marks dropped): "Hélène" and "helene" are the same. */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

const digitsOf = (text: string): string => text.replace(/\D/g, '');

/** The directory's people, ring groups and company numbers (those not already shown under a person or group). */
export function directoryEntries(directory: DirectoryResponse): ContactEntry[] {
  const people: ContactEntry[] = directory.people.map((person) => ({
    key: `person:${person.id}`, kind: 'person', name: person.displayName, extension: person.extension, numbers: person.numbers, dial: person.extension, personalId: null,
  }));
  const groups: ContactEntry[] = directory.groups
    .filter((group) => group.numbers.length > 0)
    .map((group) => ({ key: `group:${group.id}`, kind: 'group', name: group.name, extension: null, numbers: group.numbers, dial: group.numbers[0] ?? '', personalId: null }));
  const shown = new Set([...people, ...groups].flatMap((entry) => entry.numbers));
  const lines: ContactEntry[] = directory.numbers
    .filter((line) => !shown.has(line.e164))
    .map((line) => ({ key: `number:${line.e164}`, kind: 'number', name: line.label ?? line.e164, extension: null, numbers: [line.e164], dial: line.e164, personalId: null }));
  return [...people, ...groups, ...lines];
}

export function personalEntries(contacts: readonly PersonalContact[]): ContactEntry[] {
  return contacts.map((contact) => ({ key: `personal:${contact.id}`, kind: 'personal', name: contact.name, extension: null, numbers: [contact.number], dial: contact.number, personalId: contact.id }));
}

/**
 * The entries matching every word of `query`: a word matches the folded name, or, when it is a number
 * (digits and "+"), the digits of the extension or of one of the numbers ("612" finds "+33 6 12 34 56 78").
 * An empty query keeps everything.
 */
export function searchContacts(entries: readonly ContactEntry[], query: string): ContactEntry[] {
  const words = foldText(query).split(/\s+/).filter((word) => word.length > 0);
  if (words.length === 0) return [...entries];
  return entries.filter((entry) => {
    const name = foldText(entry.name);
    const digits = [entry.extension ?? '', ...entry.numbers].map(digitsOf).filter((value) => value.length > 0);
    return words.every((word) => name.includes(word) || (/^\+?\d+$/.test(word) && digits.some((value) => value.includes(digitsOf(word)))));
  });
}

/** How a dialled string is compared: E.164 for phone numbers, the digits for extensions and short codes. */
export function numberKey(number: string, country: DialCountry): string | null {
  const target = parseDialString(number, country);
  switch (target.kind) {
    case 'phone':
      return target.e164;
    case 'extension':
      return `ext:${target.extension}`;
    case 'short-code':
      return `short:${target.digits}`;
    case 'invalid':
      return null;
    default:
      return assertNever(target);
  }
}

/** The name of the contact a history number belongs to (the directory first, then personal contacts), or null. */
export function contactNameFor(entries: readonly ContactEntry[], number: string, country: DialCountry): string | null {
  const key = numberKey(number, country);
  if (key === null) return null;
  const ordered = [...entries.filter((entry) => entry.kind !== 'personal'), ...entries.filter((entry) => entry.kind === 'personal')];
  for (const entry of ordered) {
    const keys = [...(entry.extension === null ? [] : [`ext:${entry.extension}`]), ...entry.numbers.map((value) => numberKey(value, country))];
    if (keys.includes(key)) return entry.name;
  }
  return null;
}
