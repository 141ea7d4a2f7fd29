import { useEffect, useRef, useState } from 'react';
import { formatAsYouType, sanitizeDialInput } from '../../../shared/dial/dial-string.js';
import type { SipAccount } from '../../../shared/settings.js';
import { useT } from '../i18n/use-t.js';
import { backgroundCalls, frontCall, waitingCalls } from '../state/calls-store.js';
import { useStore } from '../state/use-store.js';
import { CallPanel, WaitingCall } from './call-panel.js';
import { Dialer } from './dialer.js';
import { HistoryList } from './history-list.js';
import { ContactsPanel } from '../contacts/contacts-panel.js';
import { DoNotDisturbToggle, OtherCall } from './line-controls.js';
import type { Phone } from '../phone.js';
import { usePhone } from './phone-context.js';
import { RegistrationStatus } from './registration-status.js';
import { SettingsPanel } from './settings-panel.js';
import { SignInForm } from './sign-in-form.js';
import { CompanySignIn } from '../wallet/company-sign-in.js';
import { IncludedMark } from '../wallet/included-mark.js';
import { PaidCallMeterView } from '../wallet/paid-call-meter-view.js';
import { WalletPanel } from '../wallet/wallet-panel.js';
import { CallGate } from '../wallet/call-gate-dialogs.js';

export interface AppProps {
  readonly signInDefaults: Partial<SipAccount>;
  readonly rememberedPassword?: string;
  /** The deployment's manager, to pre-fill the company sign-in. */
  readonly managerUrl?: string | undefined;
}

const dialKeys = /^[0-9*#+]$/;

/** Whether a key press belongs to the element that has focus (typing in a field, pressing a button). */
function isEditing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** The number of the last link, formatted for the dialer; empty when there was none. */
function linkedNumber(phone: Phone): string {
  const request = phone.dialRequest.getState();
  if (request === null) return '';
  const country = phone.settings.getState().settings.defaultCountry;
  return formatAsYouType(sanitizeDialInput(request.number, country), country);
}

export function App({ signInDefaults, rememberedPassword, managerUrl }: AppProps) {
  const phone = usePhone();
  const { t } = useT();
  const registration = useStore(phone.registration);
  const callsState = useStore(phone.calls);
  // A tel:/sip:/callto: link fills the number field (also one that launched the app before this
  // rendered); the user then presses Call, which goes through the wallet's gate.
  const [number, setNumber] = useState(() => linkedNumber(phone));
  const numberRef = useRef<HTMLInputElement>(null);
  useEffect(
    () =>
      phone.dialRequest.subscribe(() => {
        setNumber(linkedNumber(phone));
        numberRef.current?.focus();
      }),
    [phone],
  );

  const front = frontCall(callsState);
  const waiting = waitingCalls(callsState);
  const background = backgroundCalls(callsState);
  const signedIn = registration.account !== null && registration.phase.kind !== 'signed-out' && registration.phase.kind !== 'rejected';

  // Keyboard: digits go to the number field (or, during a call, out as DTMF); Escape hangs up.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'Escape') {
        if (phone.calls.getState().calls.length > 0) {
          event.preventDefault();
          phone.hangupFront();
        }
        return;
      }
      if (!dialKeys.test(event.key) || isEditing(event.target)) return;
      const inFront = frontCall(phone.calls.getState());
      if (inFront?.state === 'established') {
        if (event.key !== '+') phone.sendDtmf(inFront.id, event.key);
        return;
      }
      if (numberRef.current === null) return;
      event.preventDefault();
      numberRef.current.focus();
      setNumber((current) => current + event.key);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [phone]);

  const answerWaiting = (callId: string): void => {
    if (front !== null && front.state === 'established' && front.hold === 'active') phone.toggleHold(front.id);
    phone.answer(callId);
  };

  return (
    <div className="app">
      <header className="app-header">
        <h1>{t('app.title')}</h1>
        <RegistrationStatus />
        {signedIn && registration.account !== null ? (
          <div className="account">
            <span>{t('signIn.signedInAs', { user: registration.account.username })}</span>
            <button type="button" className="link-button" onClick={() => void phone.signOut()}>
              {t('signIn.signOut')}
            </button>
          </div>
        ) : null}
      </header>
      <main className="app-main">
        {signedIn ? (
          <>
            <div className="calls-column">
              {front !== null ? <CallPanel key={front.id} call={front} /> : null}
              <IncludedMark />
              <PaidCallMeterView />
              {waiting.map((call) => (
                <WaitingCall key={call.id} call={call} onAnswer={() => answerWaiting(call.id)} />
              ))}
              {background.map((call) => (
                <OtherCall key={call.id} call={call} />
              ))}
              {front === null && callsState.lastEnded !== null && callsState.lastEnded.reason !== 'local-hangup' &&
              callsState.lastEnded.reason !== 'remote-hangup' && callsState.lastEnded.reason !== 'cancelled' &&
              callsState.lastEnded.reason !== 'declined' && callsState.lastEnded.reason !== 'remote-cancelled' ? (
                <p className="notice" role="alert">
                  {t(`end.${callsState.lastEnded.reason}`)}
                </p>
              ) : null}
              {callsState.notice !== null ? (
                <p className="notice" role="alert">
                  {t('call.commandFailed', { message: callsState.notice })}
                </p>
              ) : null}
              <Dialer number={number} onNumberChange={setNumber} inputRef={numberRef} />
              <DoNotDisturbToggle />
            </div>
            <HistoryList onRedial={setNumber} />
            <ContactsPanel />
          </>
        ) : (
          <CompanySignIn defaultManagerUrl={managerUrl} primary={signInDefaults.server !== undefined ? 'sip' : 'company'} advanced={<SignInForm initial={registration.account ?? signInDefaults} initialPassword={rememberedPassword} />} />
        )}
        <WalletPanel />
        <SettingsPanel />
      </main>
      <CallGate />
    </div>
  );
}
