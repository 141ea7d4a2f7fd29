import type { AdminMessageKey } from './admin-en.js';

/** French strings of the app's admin area (vocabulary of the manager's pages: Personnes, Journal d’audit). */
export const adminFr: Readonly<Record<AdminMessageKey, string>> = {
  'admin.heading': 'Entreprise',
  'admin.people': 'Personnes',
  'admin.peopleHint': 'Ajoutez des employés, attribuez les postes, désactivez ou supprimez ceux qui partent.',
  'admin.audit': 'Journal d’audit',
  'admin.password': 'Changer votre mot de passe',
  'admin.opened': 'Ouvert dans le gestionnaire.',
  'admin.failed': 'Impossible d’ouvrir le gestionnaire. Réessayez dans un instant.',
  'admin.blocked': 'Le navigateur a bloqué le nouvel onglet : autorisez les fenêtres pop-up pour cette page.',
};
