import { useEffect, useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { PhoneContext, usePhone } from '../ui/phone-context.js';
import { createBalanceAnnouncer } from './balance-announcer.js';
import { CallGate } from './call-gate-dialogs.js';
import { createGatedPhone } from './gated-phone.js';
import { createWallet } from './wallet-controller.js';
import { WalletContext } from './wallet-context.js';
import { formatMoney } from './wallet-format.js';

const wait = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * Puts the wallet in front of the phone: children get the gated phone (the call gate before every dial)
 * and the wallet; the gate's dialogs are mounted here once.
 */
export function WalletProvider({ children }: { readonly children: ReactNode }) {
  const phone = usePhone();
  const { i18n } = useTranslation();
  const wallet = useMemo(
    () =>
      createWallet({
        host: phone.host,
        phone,
        announce: createBalanceAnnouncer({
          synthesis: typeof window.speechSynthesis === 'undefined' ? undefined : window.speechSynthesis,
          createUtterance: typeof SpeechSynthesisUtterance === 'undefined' ? undefined : (text) => new SpeechSynthesisUtterance(text),
          wait,
        }),
        announcementText: (balance) => i18n.t('announce.text', { balance: formatMoney(balance.balanceMinor, balance.currency, i18n.language) }),
        language: () => i18n.language,
      }),
    [phone, i18n],
  );
  useEffect(() => () => wallet.dispose(), [wallet]);
  const gated = useMemo(() => createGatedPhone(phone, wallet), [phone, wallet]);
  return (
    <WalletContext.Provider value={wallet}>
      <PhoneContext.Provider value={gated}>
        {children}
        <CallGate />
      </PhoneContext.Provider>
    </WalletContext.Provider>
  );
}
