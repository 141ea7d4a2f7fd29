import type { LinesMessageKey } from './lines-en.js';

/** French strings of several calls at once; every key of lines-en.ts. */
export const linesFr: Record<LinesMessageKey, string> = {
  'lines.live': 'Appel en cours',
  'lines.held': 'En attente',
  'lines.conference': 'Dans la conférence à trois',
  'lines.swap': 'Basculer',
  'lines.merge': 'Fusionner',
  'lines.split': 'Séparer',
  'lines.conferenceHeading': 'Conférence à trois',
  'lines.doNotDisturb': 'Ne pas déranger',
  'lines.doNotDisturbOn': 'Les appels reçoivent un signal occupé et sont notés manqués.',
  'lines.otherCalls': 'Autres appels',
  'lines.endCall': "Terminer l'appel avec {{name}}",
};
