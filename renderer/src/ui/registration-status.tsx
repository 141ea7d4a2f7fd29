import { assertNever } from '../../../shared/assert-never.js';
import { useT, type Translate } from '../i18n/use-t.js';
import type { RegistrationPhase } from '../state/registration-store.js';
import { useStore } from '../state/use-store.js';
import { usePhone } from './phone-context.js';
import { useNow } from './use-now.js';

function statusText(phase: RegistrationPhase, now: number, t: Translate): string {
  switch (phase.kind) {
    case 'signed-out':
      return t('status.signedOut');
    case 'connecting':
      return t('status.connecting');
    case 'registering':
      return t('status.registering');
    case 'registered':
      return t('status.registered');
    case 'reconnecting': {
      const seconds = Math.ceil((phase.retryAt - now) / 1000);
      return seconds > 0 ? t('status.reconnecting', { seconds }) : t('status.reconnectingNow');
    }
    case 'rejected':
      switch (phase.reason) {
        case 'credentials':
          return t('status.wrongPassword');
        case 'forbidden':
          return t('status.forbidden');
        default:
          return assertNever(phase.reason);
      }
    default:
      return assertNever(phase);
  }
}

/** Always visible: what the phone is doing about the server. The only `status` role on the page. */
export function RegistrationStatus() {
  const phone = usePhone();
  const { phase } = useStore(phone.registration);
  const { t } = useT();
  const now = useNow(1000, phase.kind === 'reconnecting');
  // The countdown changes every second: screen readers get the steady sentence, sighted users the number.
  const countdown = phase.kind === 'reconnecting';
  return (
    <p role="status" className={`registration registration-${phase.kind}`} data-registration={phase.kind}>
      <span className="registration-dot" aria-hidden="true" />
      {countdown ? (
        <>
          <span aria-hidden="true">{statusText(phase, now, t)}</span>
          <span className="visually-hidden">{t('status.reconnectingNow')}</span>
        </>
      ) : (
        statusText(phase, now, t)
      )}
    </p>
  );
}
