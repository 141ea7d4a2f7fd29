import { assertNever } from '../../../shared/assert-never.js';
import { useT } from '../i18n/use-t.js';
import { useLinesT, type LinesTranslate } from '../i18n/use-lines-t.js';
import { inConference, lineRole, lineSwapPair, type CallView, type LineRole } from '../state/calls-store.js';
import { useStore } from '../state/use-store.js';
import { usePhone } from './phone-context.js';

/** What the role is called on screen; null for calls not yet in conversation (their state says it). */
function roleText(role: LineRole, t: LinesTranslate): string | null {
  switch (role) {
    case 'live':
      return t('lines.live');
    case 'held':
      return t('lines.held');
    case 'conference':
      return t('lines.conference');
    case 'ringing':
    case 'connecting':
      return null;
    default:
      return assertNever(role);
  }
}

/**
 * The call in front's part in several calls at once: whether it is the live one, and Swap / Merge (with
 * a call on hold) or Split (in a three-way call). Mounted in the call panel. `data-line-role` is the
 * end-to-end tests' hook.
 */
export function LineControls({ call }: { readonly call: CallView }) {
  const phone = usePhone();
  const state = useStore(phone.calls);
  const { t } = useLinesT();
  const role = lineRole(state, call);
  const pair = lineSwapPair(state);
  const withHeld = pair !== null && pair.live.id === call.id;
  const text = state.calls.length > 1 ? roleText(role, t) : null;
  return (
    <div className="line-controls" data-line-role={role}>
      {text !== null ? <p className="line-role">{text}</p> : null}
      {withHeld || inConference(state, call.id) ? (
        <div className="call-actions">
          {withHeld ? (
            <>
              <button type="button" onClick={() => phone.swap()}>
                {t('lines.swap')}
              </button>
              <button type="button" onClick={() => phone.merge()}>
                {t('lines.merge')}
              </button>
            </>
          ) : (
            <button type="button" onClick={() => phone.split()}>
              {t('lines.split')}
            </button>
          )}
        </div>
      ) : null}
    </div>
  );
}

/** A call behind the one in front: on hold (Resume swaps it in front) or in the three-way call; either can be ended. */
export function OtherCall({ call }: { readonly call: CallView }) {
  const phone = usePhone();
  const state = useStore(phone.calls);
  const { t } = useLinesT();
  const { t: tc } = useT();
  const role = lineRole(state, call);
  return (
    <section className="background-call card" data-background-call-state={call.state} data-hold={call.hold} data-line-role={role} data-call-id={call.id}>
      <p className="remote">{call.remoteDisplay}</p>
      <p className="call-state">{roleText(role, t) ?? tc('call.held')}</p>
      <div className="call-actions">
        {role === 'held' ? (
          <button
            type="button"
            disabled={call.hold !== 'held'}
            onClick={() => {
              const pair = lineSwapPair(phone.calls.getState());
              if (pair !== null && pair.held.id === call.id) phone.swap();
              else phone.toggleHold(call.id);
            }}
          >
            {tc('call.resume')}
          </button>
        ) : null}
        <button type="button" className="danger" aria-label={t('lines.endCall', { name: call.remoteDisplay })} onClick={() => phone.hangup(call.id)}>
          {tc('call.hangUp')}
        </button>
      </div>
    </section>
  );
}

/** The Do not disturb switch: a toggle button, pressed while incoming calls are turned away busy. */
export function DoNotDisturbToggle() {
  const phone = usePhone();
  const { doNotDisturb } = useStore(phone.calls);
  const { t } = useLinesT();
  return (
    <div className="do-not-disturb">
      <button type="button" aria-pressed={doNotDisturb} aria-describedby={doNotDisturb ? 'do-not-disturb-note' : undefined} onClick={() => phone.setDoNotDisturb(!doNotDisturb)}>
        {t('lines.doNotDisturb')}
      </button>
      {doNotDisturb ? (
        <p id="do-not-disturb-note" className="hint">
          {t('lines.doNotDisturbOn')}
        </p>
      ) : null}
    </div>
  );
}
