/** English strings of several calls at once (swap, merge, split, Do not disturb); merged in i18n.ts. */
export const linesEn = {
  'lines.live': 'Live call',
  'lines.held': 'On hold',
  'lines.conference': 'In the three-way call',
  'lines.swap': 'Swap',
  'lines.merge': 'Merge',
  'lines.split': 'Split',
  'lines.conferenceHeading': 'Three-way call',
  'lines.doNotDisturb': 'Do not disturb',
  'lines.doNotDisturbOn': 'Calls get a busy signal and are listed as missed.',
  'lines.otherCalls': 'Other calls',
  'lines.endCall': 'End the call with {{name}}',
} as const;

export type LinesMessageKey = keyof typeof linesEn;
