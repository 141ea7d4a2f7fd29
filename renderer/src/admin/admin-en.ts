/**
 * English strings of the app's admin area (admin-links.tsx). Merged into the app's resources in
 * renderer/src/i18n/i18n.ts; `admin-fr.ts` must translate every key (the type enforces it).
 */
export const adminEn = {
  'admin.heading': 'Company',
  'admin.people': 'People',
  'admin.peopleHint': 'Add employees, give extensions, deactivate or remove those who leave.',
  'admin.audit': 'Audit trail',
  'admin.password': 'Change your password',
  'admin.opened': 'Opened in the manager.',
  'admin.failed': 'The manager could not be opened. Try again in a moment.',
  'admin.blocked': 'The browser blocked the new tab: allow pop-ups for this page.',
} as const;

export type AdminMessageKey = keyof typeof adminEn;
