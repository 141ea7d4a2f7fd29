import type { DevicesMessageKey } from './devices-en.js';

/** French strings of the audio devices and of the call quality indicator; every key of devices-en.ts. */
export const devicesFr: Record<DevicesMessageKey, string> = {
  'devices.microphone': 'Micro',
  'devices.speaker': 'Haut-parleur',
  'devices.systemDefault': 'Appareil par défaut du système',
  'devices.unnamedInput': 'Micro {{index}}',
  'devices.unnamedOutput': 'Sortie {{index}}',
  'devices.missing': '{{name}} (non connecté)',
  'devices.level': 'Niveau du micro',
  'devices.levelOff': 'Ouvrez les réglages pour voir le niveau de votre micro.',
  'devices.testSpeaker': 'Jouer un son d’essai',
  'devices.testSpeakerPlaying': 'Son d’essai en cours…',
  'devices.fallback.microphone': '{{name}} a été débranché : les appels utilisent maintenant le micro par défaut du système.',
  'devices.fallback.speaker': '{{name}} a été débranché : les appels passent maintenant par le haut-parleur par défaut du système.',
  'devices.fallback.ringer': '{{name}} a été débranché : la sonnerie passe maintenant par la sortie par défaut du système.',
  'devices.fallbackUnnamed': 'L’appareil choisi',
  'devices.dismiss': 'Fermer',

  'quality.label': 'Qualité de l’appel',
  'quality.measuring': 'Mesure en cours…',
  'quality.good': 'Bonne',
  'quality.fair': 'Moyenne',
  'quality.poor': 'Mauvaise',
  'quality.figures': 'Aller-retour {{rtt}} ms, gigue {{jitter}} ms, {{loss}} % du son perdu',
  'quality.warning.poorLoss':
    'Votre connexion perd beaucoup de son ({{loss}} %). Votre correspondant et vous risquez de vous entendre par à-coups. Une connexion filaire, ou vous rapprocher du routeur Wi-Fi, aide en général.',
  'quality.warning.fairLoss': 'Une partie du son se perd ({{loss}} %). L’appel peut couper par moments.',
  'quality.warning.poorDelay': 'Votre connexion est lente (environ {{rtt}} ms aller-retour). Vous risquez de parler en même temps.',
  'quality.warning.fairDelay': 'La ligne a un peu de retard (environ {{rtt}} ms aller-retour).',
};
