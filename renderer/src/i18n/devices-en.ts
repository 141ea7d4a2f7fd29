/**
 * English strings of the audio devices (settings-panel.tsx, device-notice.tsx) and of the call quality
 * indicator (call-quality-indicator.tsx). Merged into the app's resources in i18n.ts; `devices-fr.ts` must
 * translate every key (the type enforces it).
 */
export const devicesEn = {
  'devices.microphone': 'Microphone',
  'devices.speaker': 'Speaker',
  'devices.systemDefault': 'System default',
  'devices.unnamedInput': 'Microphone {{index}}',
  'devices.unnamedOutput': 'Output {{index}}',
  'devices.missing': '{{name}} (not connected)',
  'devices.level': 'Microphone level',
  'devices.levelOff': 'Open the settings to see your microphone level.',
  'devices.testSpeaker': 'Play a test sound',
  'devices.testSpeakerPlaying': 'Playing a test sound…',
  'devices.fallback.microphone': '{{name}} was disconnected: calls now use the system’s default microphone.',
  'devices.fallback.speaker': '{{name}} was disconnected: calls now play on the system’s default speaker.',
  'devices.fallback.ringer': '{{name}} was disconnected: the ringtone now plays on the system’s default output.',
  'devices.fallbackUnnamed': 'Your chosen device',
  'devices.dismiss': 'Dismiss',

  'quality.label': 'Call quality',
  'quality.measuring': 'Measuring…',
  'quality.good': 'Good',
  'quality.fair': 'Fair',
  'quality.poor': 'Poor',
  'quality.figures': 'Round trip {{rtt}} ms, jitter {{jitter}} ms, {{loss}} % of audio lost',
  'quality.warning.poorLoss':
    'Your connection is losing a lot of audio ({{loss}} %). You and the other person may hear each other break up. A wired connection, or getting closer to the Wi-Fi router, usually helps.',
  'quality.warning.fairLoss': 'Some audio is being lost ({{loss}} %). The call may break up now and then.',
  'quality.warning.poorDelay': 'Your connection is slow (about {{rtt}} ms for a round trip). You may talk over each other.',
  'quality.warning.fairDelay': 'There is some delay on the line (about {{rtt}} ms for a round trip).',
} as const;

export type DevicesMessageKey = keyof typeof devicesEn;
