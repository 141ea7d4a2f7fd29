import type { SafeHtml } from './html';
import { html } from './html';
import type { Language } from './i18n';
import { peopleMessages } from './people-messages';

/** The people feature's navigation: People and the audit trail for admins; New company and the audit trail for customer care; everyone's password. */
export function peopleNav(lang: Language, role: string): SafeHtml {
  const p = peopleMessages[lang];
  const items: SafeHtml[] = [];
  if (role === 'admin') items.push(html`<li><a href="/prepaid/people">${p.people}</a></li>`);
  if (role === 'operator') items.push(html`<li><a href="/care/companies/new">${p.onboarding}</a></li>`);
  if (role === 'admin' || role === 'operator') items.push(html`<li><a href="/audit">${p.audit}</a></li>`);
  items.push(html`<li><a href="/account/password">${p.changePassword}</a></li>`);
  return html`${items}`;
}
