import type { SafeHtml } from './html';
import { html } from './html';
import type { Language } from './i18n';

/**
 * Wording of the company-numbers pages (admins: /prepaid/numbers; customer care: /care/numbers), in English
 * and French, beside the shared catalog (i18n.ts); `fr` must translate every key (the type says so).
 */
const en = {
  numbers: 'Numbers',
  numbersTitle: 'Phone numbers',
  numbersHelp: 'Calls from the phone network to a number ring the person or ring group it is assigned to. Outside calls show the caller’s own number, or the main number for people without one.',
  number: 'Number',
  label: 'Label',
  rings: 'Rings',
  nobody: 'Nobody',
  main: 'Main number',
  noMain: 'No main number',
  setMain: 'Save main number',
  assign: 'Save',
  person: 'Person',
  group: 'Ring group',
  ringGroups: 'Ring groups',
  ringGroupsHelp: 'Everyone in a ring group rings at once; the first to answer takes the call.',
  groupName: 'Name',
  members: 'People',
  newGroup: 'New ring group',
  saveGroup: 'Save ring group',
  noNumbers: 'The company has no phone numbers yet. Customer care assigns them.',
  yourCallerId: 'Your caller ID',
  callerIdOwn: 'your own number',
  callerIdMain: 'the company’s main number',
  callerIdNone: 'Outside calls show no number: the company has none for you yet.',
  ringsYou: 'Numbers that ring you',
  saved: 'Saved.',
  groupInvalid: 'Give the ring group a name (at most 64 characters) and choose 1 to 20 people.',
  careNumbersTitle: 'Company phone numbers',
  careCompany: 'Company',
  careAdd: 'Add number',
  careRemove: 'Take back',
  careNumberInvalid: 'Enter the number in international form, for example +33 1 99 00 12 34.',
  careNumberTaken: 'This number already belongs to a company.',
  careChooseCompany: 'Show',
} as const;

type Messages = { readonly [K in keyof typeof en]: string };

const fr: Messages = {
  numbers: 'Numéros',
  numbersTitle: 'Numéros de téléphone',
  numbersHelp: 'Les appels du réseau téléphonique vers un numéro font sonner la personne ou le groupe d’appel auquel il est attribué. Les appels sortants présentent le numéro de l’appelant, ou le numéro principal pour qui n’en a pas.',
  number: 'Numéro',
  label: 'Libellé',
  rings: 'Fait sonner',
  nobody: 'Personne',
  main: 'Numéro principal',
  noMain: 'Pas de numéro principal',
  setMain: 'Enregistrer le numéro principal',
  assign: 'Enregistrer',
  person: 'Personne',
  group: 'Groupe d’appel',
  ringGroups: 'Groupes d’appel',
  ringGroupsHelp: 'Tous les membres d’un groupe d’appel sonnent en même temps ; le premier qui répond prend l’appel.',
  groupName: 'Nom',
  members: 'Personnes',
  newGroup: 'Nouveau groupe d’appel',
  saveGroup: 'Enregistrer le groupe',
  noNumbers: 'L’entreprise n’a pas encore de numéro. Le service client les attribue.',
  yourCallerId: 'Votre numéro présenté',
  callerIdOwn: 'votre propre numéro',
  callerIdMain: 'le numéro principal de l’entreprise',
  callerIdNone: 'Les appels sortants ne présentent aucun numéro : l’entreprise n’en a pas encore pour vous.',
  ringsYou: 'Numéros qui vous font sonner',
  saved: 'Enregistré.',
  groupInvalid: 'Donnez un nom au groupe (64 caractères au plus) et choisissez de 1 à 20 personnes.',
  careNumbersTitle: 'Numéros des entreprises',
  careCompany: 'Entreprise',
  careAdd: 'Ajouter le numéro',
  careRemove: 'Reprendre',
  careNumberInvalid: 'Saisissez le numéro au format international, par exemple +33 1 99 00 12 34.',
  careNumberTaken: 'Ce numéro appartient déjà à une entreprise.',
  careChooseCompany: 'Afficher',
};

export const numberMessages: Readonly<Record<Language, Messages>> = { en, fr };

/** The numbers pages in the navigation: company users (admins manage, employees see their caller ID) and customer care. */
export function numbersNav(lang: Language, role: string): SafeHtml {
  if (role === 'admin' || role === 'employee') return html`<li><a href="/prepaid/numbers">${numberMessages[lang].numbers}</a></li>`;
  if (role === 'operator') return html`<li><a href="/care/numbers">${numberMessages[lang].numbers}</a></li>`;
  return html``;
}
