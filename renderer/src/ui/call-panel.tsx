import { useId, useState } from 'react';
import { assertNever } from '../../../shared/assert-never.js';
import { formatDuration, formatDurationLong } from '../i18n/format.js';
import { useT, type Translate } from '../i18n/use-t.js';
import type { CallView } from '../state/calls-store.js';
import { CallQualityIndicator } from './call-quality-indicator.js';
import { usePhone } from './phone-context.js';
import { DialPad } from './dial-pad.js';
import { LineControls } from './line-controls.js';
import { TransferControls } from './transfer-controls.js';
import { useNow } from './use-now.js';

function stateText(call: CallView, t: Translate): string {
  switch (call.state) {
    case 'calling':
      return t('call.calling');
    case 'ringing':
      return t('call.ringing');
    case 'incoming':
      return t('call.incoming');
    case 'answering':
      return t('call.answering');
    case 'established':
      switch (call.hold) {
        case 'active':
          return t('call.established');
        case 'holding':
          return t('call.holding');
        case 'held':
          return t('call.held');
        case 'resuming':
          return t('call.resuming');
        default:
          return assertNever(call.hold);
      }
    case 'ended':
      return t('call.ended');
    default:
      return assertNever(call.state);
  }
}

/**
 * The call in front. `data-call-state` / `data-hold` / `data-muted` are stable hooks for the end-to-end
 * tests (and only for them); people read the text.
 */
export function CallPanel({ call }: { readonly call: CallView }) {
  const phone = usePhone();
  const { t, language } = useT();
  const id = useId();
  const [keypadOpen, setKeypadOpen] = useState(false);
  const [sentTones, setSentTones] = useState('');
  const established = call.state === 'established';
  const now = useNow(1000, established);
  const seconds = call.answeredAt === null ? 0 : Math.max(0, (now - call.answeredAt) / 1000);
  const onHold = call.hold === 'held' || call.hold === 'holding';
  const holdBusy = call.hold === 'holding' || call.hold === 'resuming';

  return (
    <section
      className={`call-panel card call-${call.state}`}
      aria-labelledby={`${id}-remote`}
      data-call-state={call.state}
      data-call-id={call.id}
      data-call-direction={call.direction}
      data-hold={call.hold}
      data-muted={call.muted ? 'true' : 'false'}
    >
      <h2 id={`${id}-remote`} className="remote">
        {call.remoteDisplay}
      </h2>
      {call.remoteDisplay !== call.remoteNumber ? <p className="remote-number">{call.remoteNumber}</p> : null}
      <p className="call-state">{stateText(call, t)}</p>
      {established ? (
        <p className="timer">
          <span className="visually-hidden">{t('call.duration')} </span>
          <time dateTime={`PT${Math.floor(seconds)}S`} aria-label={formatDurationLong(seconds, language)}>
            {formatDuration(seconds)}
          </time>
        </p>
      ) : null}
      {established ? <CallQualityIndicator callId={call.id} /> : null}
      <div className="call-actions">
        {call.state === 'incoming' ? (
          <>
            <button type="button" className="answer" onClick={() => phone.answer(call.id)}>
              {t('call.answer')}
            </button>
            <button type="button" className="danger" onClick={() => phone.decline(call.id)}>
              {t('call.decline')}
            </button>
          </>
        ) : null}
        {established ? (
          <>
            <button type="button" aria-pressed={call.muted} onClick={() => phone.toggleMute(call.id)}>
              {t('call.mute')}
            </button>
            <button type="button" aria-pressed={onHold} disabled={holdBusy} onClick={() => phone.toggleHold(call.id)}>
              {onHold ? t('call.resume') : t('call.hold')}
            </button>
            <button
              type="button"
              aria-expanded={keypadOpen}
              aria-controls={`${id}-keypad`}
              onClick={() => setKeypadOpen((open) => !open)}
            >
              {t('call.keypad')}
            </button>
          </>
        ) : null}
        {call.state !== 'incoming' ? (
          <button type="button" className="danger" onClick={() => phone.hangup(call.id)}>
            {t('call.hangUp')}
          </button>
        ) : null}
      </div>
      <LineControls call={call} />
      <TransferControls call={call} />
      {established && keypadOpen ? (
        <div id={`${id}-keypad`} className="keypad">
          <p className="sent-tones" aria-live="polite" data-sent-tones={sentTones}>
            {sentTones}
          </p>
          <DialPad
            label={t('call.keypadHeading')}
            onKey={(key) => {
              phone.sendDtmf(call.id, key);
              setSentTones((tones) => (tones + key).slice(-24));
            }}
          />
        </div>
      ) : null}
    </section>
  );
}

/** A second call ringing while we talk: answering it puts the current one on hold first. */
export function WaitingCall({ call, onAnswer }: { readonly call: CallView; readonly onAnswer: () => void }) {
  const phone = usePhone();
  const { t } = useT();
  const id = useId();
  return (
    <section className="waiting-call card" aria-labelledby={`${id}-title`} data-waiting-call-state={call.state} data-call-id={call.id}>
      <h2 id={`${id}-title`}>{t('call.waiting')}</h2>
      <p className="remote">{call.remoteDisplay}</p>
      <div className="call-actions">
        <button type="button" className="answer" onClick={onAnswer}>
          {t('call.answer')}
        </button>
        <button type="button" className="danger" onClick={() => phone.decline(call.id)}>
          {t('call.decline')}
        </button>
      </div>
    </section>
  );
}
