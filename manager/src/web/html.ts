import { budgetMessages } from './budget-messages';
import { peopleNav } from './people-nav';
import { numbersNav } from './number-messages';
import type { Language, Messages } from './i18n';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A piece of markup already escaped: the only thing `page` inserts unescaped. */
export interface SafeHtml {
  readonly html: string;
}

/** Tagged template that escapes every interpolated value unless it is SafeHtml (or an array of them). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return { html: out };
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object' && 'html' in value) return String((value as SafeHtml).html);
  return escapeHtml(String(value));
}

export interface PageOptions {
  readonly lang: Language;
  readonly t: Messages;
  readonly title: string;
  readonly path: string;
  readonly signedIn: { displayName: string; csrf: string; role: string } | null;
  readonly body: SafeHtml;
}

/** The page shell: language, skip link, navigation, language switch, sign-out. */
export function page(options: PageOptions): string {
  const { t, signedIn } = options;
  const other = options.lang === 'fr' ? 'en' : 'fr';
  const nav = signedIn
    ? signedIn.role === 'operator'
      ? html`<li><a href="/care">${t.customerCare}</a></li>${numbersNav(options.lang, signedIn.role)}${peopleNav(options.lang, signedIn.role)}`
      : html`<li><a href="/prepaid">${t.prepaidAccount}</a></li><li><a href="/prepaid/add-funds">${t.addFunds}</a></li><li><a href="/prepaid/settings">${t.settings}</a></li><li><a href="/prepaid/rates">${t.internationalRates}</a></li><li><a href="/prepaid/activity">${t.activity}</a></li><li><a href="/prepaid/budgets">${budgetMessages[options.lang].budgets}</a></li>${numbersNav(options.lang, signedIn.role)}${peopleNav(options.lang, signedIn.role)}`
    : html``;
  return `<!doctype html>${html`<html lang="${options.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${t.appName}</title><link rel="stylesheet" href="/assets/manager.css"></head>
<body><a class="skip" href="#main">${t.skip}</a>
<header><p class="brand">${t.appName}</p><nav aria-label="${t.appName}"><ul>${nav}</ul></nav>
<p class="lang"><a href="/lang?to=${other}&amp;back=${encodeURIComponent(options.path)}" hreflang="${other}" lang="${other}">${other === 'fr' ? 'Français' : 'English'}</a></p>
${signedIn ? html`<form method="post" action="/sign-out" class="signout"><input type="hidden" name="_csrf" value="${signedIn.csrf}"><span>${signedIn.displayName}</span> <button type="submit">${t.signOut}</button></form>` : ''}
</header><main id="main" tabindex="-1"><h1>${options.title}</h1>${options.body}</main></body></html>`.html}`;
}

/** The pages' stylesheet: readable, visible focus, no scripts needed anywhere. */
export const stylesheet = `body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa;line-height:1.5}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px}
header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:.5rem 1rem;background:#0b3d5c;color:#fff}
header a{color:#fff}.brand{font-weight:700;margin:0}nav ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0}
main{max-width:56rem;margin:1rem auto;padding:0 1rem}
.balance{font-size:2rem;font-weight:700}.notice{background:#fff4ce;padding:.5rem;border-left:4px solid #b58900}
.ok{background:#e6f4ea;padding:.5rem;border-left:4px solid #1e7e34}.error{background:#fdecea;padding:.5rem;border-left:4px solid #b00020}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #ddd}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
label{display:block;margin-top:.75rem;font-weight:600}input,select,button{font:inherit;padding:.25rem .5rem}
button{margin-top:.75rem;background:#0b3d5c;color:#fff;border:0;border-radius:4px;padding:.4rem 1rem;cursor:pointer}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}.signout{margin-left:auto}.signout button{margin:0}`;
