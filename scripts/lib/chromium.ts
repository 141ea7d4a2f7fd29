/** Debian's Chromium; Playwright cannot download a browser of its own on these machines. */
export const chromiumPath = process.env.CABINE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags measured to work headless as root here (shared field notes), plus a fake microphone and
 * loopback ICE candidates so two pages on one machine can send each other audio.
 */
export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];
