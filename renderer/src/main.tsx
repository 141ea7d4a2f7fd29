import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { createAudioController } from './audio/audio-controller.js';
import { browserMediaDevices } from './audio/media-devices.js';
import { createE2eHook } from './e2e/e2e-hook.js';
import { isBrowserHost, pickHost } from './host/pick-host.js';
import { createI18n, resolveLanguage } from './i18n/i18n.js';
import { createCallPlacer } from './calling/call-placer.js';
import { PlacerContext } from './calling/placer-context.js';
import { createPhone } from './phone.js';
import { loadRuntimeConfig } from './runtime-config.js';
import { createSipAdapter } from './sip/sip-adapter.js';
import { App } from './ui/app.js';
import { PhoneContext } from './ui/phone-context.js';
import { createWallet } from './wallet/wallet-controller.js';
import { WalletContext } from './wallet/wallet-context.js';
import { formatMoney } from './wallet/wallet-format.js';

async function start(): Promise<void> {
  const root = document.getElementById('root');
  const sinks = document.getElementById('audio-sinks');
  if (root === null || sinks === null) throw new Error('index.html lacks #root or #audio-sinks');

  let i18nRef: Awaited<ReturnType<typeof createI18n>> | null = null;
  const host = pickHost({
    incomingCallText: (from) => ({
      title: i18nRef?.t('notification.incomingTitle') ?? 'Incoming call',
      body: i18nRef?.t('notification.incomingBody', { from }) ?? from,
    }),
  });
  const [settings, config, remembered] = await Promise.all([
    host.getSettings(),
    loadRuntimeConfig(async (url) => (await fetch(url, { cache: 'no-store' })).json() as Promise<unknown>),
    host.loadSipCredentials().catch(() => null),
  ]);
  const i18n = await createI18n(resolveLanguage(settings.language, navigator.languages));
  i18nRef = i18n;
  document.documentElement.lang = i18n.language;

  const query = new URLSearchParams(location.search);
  // Test hooks exist only on `?e2e=1` pages (renderer/src/e2e/e2e-hook.ts).
  const e2e = query.get('e2e') === '1' ? createE2eHook() : null;
  // The whole app is composed here, once, outside React: components only read these through context.
  const adapter = createSipAdapter({
    traceSip: query.get('traceSip') === '1',
    onAudioReceiver: e2e?.onAudioReceiver,
    ...(e2e !== null && query.has('preparedIdleMs') ? { preparedIdleMs: Number(query.get('preparedIdleMs')) } : {}),
  });
  const phone = createPhone({ host, adapter, audio: createAudioController(sinks), devices: browserMediaDevices() });
  const wallet = createWallet({
    host,
    phone,
    announcementText: (balance) => i18n.t('announce.text', { balance: formatMoney(balance.balanceMinor, balance.currency, i18n.language) }),
  });
  const placer = createCallPlacer({
    dialer: phone,
    gate: wallet.gate,
    place: () => {
      const dialCountry = phone.settings.getState().settings.defaultCountry;
      return { dialCountry, callerCountry: wallet.store.getState().session?.company?.country ?? dialCountry };
    },
  });
  phone.settings.subscribe(() => {
    const language = resolveLanguage(phone.settings.getState().settings.language, navigator.languages);
    if (language !== i18n.language) {
      void i18n.changeLanguage(language).then(() => {
        document.documentElement.lang = language;
      });
    }
  });
  e2e?.install(adapter);

  const rememberedAccount = remembered?.account ?? (isBrowserHost(host) ? host.rememberedAccount() : null);
  const signInDefaults = rememberedAccount ?? { server: config.sipServer, domain: config.sipDomain };

  createRoot(root).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <PhoneContext.Provider value={phone}>
          <WalletContext.Provider value={wallet}>
            <PlacerContext.Provider value={placer}>
              <App signInDefaults={signInDefaults} rememberedPassword={remembered?.password} managerUrl={config.managerUrl} />
            </PlacerContext.Provider>
          </WalletContext.Provider>
        </PhoneContext.Provider>
      </I18nextProvider>
    </StrictMode>,
  );

  // A desktop user who asked to be remembered is signed in straight away.
  if (remembered !== null) void phone.signIn(remembered, true);
}

start().catch((error: unknown) => {
  console.error('Cabine could not start', error);
  document.body.textContent = `Cabine could not start: ${error instanceof Error ? error.message : String(error)}`;
});
