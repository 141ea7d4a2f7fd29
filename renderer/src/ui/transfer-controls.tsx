import { useId, useState, type FormEvent } from 'react';
import { usePlacer } from '../calling/placer-context.js';
import { consultCalls, withConsult, withoutConsult } from '../calling/consult-calls.js';
import { useT } from '../i18n/use-t.js';
import type { CallView } from '../state/calls-store.js';
import { useStore } from '../state/use-store.js';
import { usePhone } from './phone-context.js';

/**
 * Transfer for the call in front (issue 12 §3; docs/call-flow.md "Transfers"). "Transfer" opens a field:
 * "Transfer now" is a blind transfer, after the same paid-call gate as dialling that number (the call
 * placer's admitTransfer); "Consult first" holds this call and places a call to the target through the
 * placer, whose panel then offers "Complete transfer" (REFER with Replaces) and "Go back" (ends the
 * consultation, resumes this call).
 */
export function TransferControls({ call }: { readonly call: CallView }) {
  const phone = usePhone();
  const placer = usePlacer();
  const { t } = useT();
  const id = useId();
  const consults = useStore(consultCalls);
  const { calls } = useStore(phone.calls);
  const [open, setOpen] = useState(false);
  const [target, setTarget] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);

  const transferredId = consults.get(call.id);
  const transferred = transferredId === undefined ? undefined : calls.find((c) => c.id === transferredId);
  if (transferred !== undefined) {
    const resumeTransferred = (): void => {
      consultCalls.update((state) => withoutConsult(state, call.id));
      phone.hangup(call.id);
      if (transferred.hold === 'held') phone.toggleHold(transferred.id);
    };
    // The trunk does not honour Replaces (the proxy refuses such a REFER): an outside consultation cannot be
    // completed, only left (docs/call-flow.md "Transfers").
    const outside = call.remoteNumber.startsWith('+');
    return (
      <div className="transfer-controls" role="group" aria-labelledby={`${id}-consulting`}>
        <p id={`${id}-consulting`}>{t('transfer.consulting', { name: transferred.remoteDisplay })}</p>
        {outside ? <p>{t('transfer.outsideAttended')}</p> : null}
        <div className="call-actions">
          {outside ? null : (
            <button type="button" disabled={call.state !== 'established'} onClick={() => phone.completeTransfer(transferred.id, call.id)}>
              {t('transfer.complete')}
            </button>
          )}
          <button type="button" onClick={resumeTransferred}>
            {t('transfer.goBack')}
          </button>
        </div>
      </div>
    );
  }

  if (call.state !== 'established' || call.hold !== 'active') return null;
  if (!open) {
    return (
      <div className="transfer-controls">
        <button type="button" aria-expanded={false} onClick={() => setOpen(true)}>
          {t('transfer.open')}
        </button>
      </div>
    );
  }

  const intent = () => {
    const result = placer.intentFor(target);
    setInvalid(!result.ok);
    return result.ok ? result.intent : null;
  };
  const transferNow = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const chosen = intent();
    if (chosen === null || busy) return;
    setBusy(true);
    try {
      if (await placer.admitTransfer(chosen)) phone.transfer(call.id, chosen);
    } finally {
      setBusy(false);
    }
  };
  const consultFirst = async (): Promise<void> => {
    const chosen = intent();
    if (chosen === null || busy) return;
    setBusy(true);
    try {
      phone.toggleHold(call.id);
      const consultId = await placer.place(chosen);
      if (consultId === null) phone.toggleHold(call.id);
      else {
        const live = new Set(phone.calls.getState().calls.map((c) => c.id));
        consultCalls.update((state) => withConsult(state, consultId, call.id, live));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form id={`${id}-form`} className="transfer-controls" aria-labelledby={`${id}-heading`} onSubmit={(event) => void transferNow(event)}>
      <h3 id={`${id}-heading`}>{t('transfer.heading')}</h3>
      <label htmlFor={`${id}-target`}>{t('transfer.target')}</label>
      <input
        id={`${id}-target`}
        type="tel"
        autoComplete="off"
        value={target}
        aria-invalid={invalid}
        onChange={(event) => {
          setInvalid(false);
          setTarget(event.target.value);
        }}
      />
      <div className="call-actions">
        <button type="submit" disabled={busy}>
          {t('transfer.blind')}
        </button>
        <button type="button" disabled={busy} onClick={() => void consultFirst()}>
          {t('transfer.consult')}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          {t('transfer.cancel')}
        </button>
      </div>
    </form>
  );
}
