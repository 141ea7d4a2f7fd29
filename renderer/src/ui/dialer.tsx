import { useEffect, useId, useState, type ClipboardEvent, type FormEvent, type RefObject } from 'react';
import { formatAsYouType, sanitizeDialInput } from '../../../shared/dial/dial-string.js';
import { usePlacer } from '../calling/placer-context.js';
import { useT } from '../i18n/use-t.js';
import { CostLine } from '../wallet/cost-line.js';
import { useStore } from '../state/use-store.js';
import { usePhone } from './phone-context.js';
import { DialPad } from './dial-pad.js';

export interface DialerProps {
  readonly number: string;
  readonly onNumberChange: (next: string) => void;
  readonly inputRef: RefObject<HTMLInputElement | null>;
}

/**
 * The number field (formatted as you type, pastes cleaned up), its cost line, the dial pad and Call.
 * Enter calls. Every change readies the next call (microphone, ICE candidates, the quote) through the
 * placer, so Call sends the INVITE, or shows the gate, at once.
 */
export function Dialer({ number, onNumberChange, inputRef }: DialerProps) {
  const phone = usePhone();
  const placer = usePlacer();
  const { t } = useT();
  const id = useId();
  const { settings } = useStore(phone.settings);
  const { phase } = useStore(phone.registration);
  const [invalid, setInvalid] = useState(false);
  const country = settings.defaultCountry;
  const registered = phase.kind === 'registered';

  // Typed, pasted, redialled from the history or filled by a tel: link: all go through here.
  useEffect(() => {
    if (registered) placer.preview(number);
  }, [placer, number, registered]);

  const change = (text: string): void => {
    setInvalid(false);
    onNumberChange(formatAsYouType(text, country));
  };

  const paste = (event: ClipboardEvent<HTMLInputElement>): void => {
    const text = event.clipboardData.getData('text/plain');
    if (text === '') return;
    event.preventDefault();
    const field = event.currentTarget;
    const start = field.selectionStart ?? field.value.length;
    const end = field.selectionEnd ?? field.value.length;
    change(field.value.slice(0, start) + sanitizeDialInput(text, country) + field.value.slice(end));
  };

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    if (!registered) return;
    const result = placer.intentFor(number);
    if (!result.ok) {
      setInvalid(result.target.reason !== 'empty');
      return;
    }
    void placer.place(result.intent);
    onNumberChange('');
  };

  return (
    <form className="dialer card" onSubmit={submit} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="visually-hidden">
        {t('dialer.heading')}
      </h2>
      <label htmlFor={`${id}-number`}>{t('dialer.number')}</label>
      <div className="number-row">
        <input
          id={`${id}-number`}
          ref={inputRef}
          className="number"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          value={number}
          onChange={(e) => change(e.target.value)}
          onPaste={paste}
          aria-invalid={invalid}
          aria-describedby={invalid ? `${id}-error` : `${id}-cost`}
          maxLength={40}
        />
        <button
          type="button"
          className="icon-button"
          aria-label={t('dialer.delete')}
          disabled={number === ''}
          onClick={() => change(number.slice(0, -1))}
        >
          <span aria-hidden="true">⌫</span>
        </button>
      </div>
      <CostLine id={`${id}-cost`} />
      {invalid ? (
        <p id={`${id}-error`} className="error" role="alert">
          {t('dialer.invalid')}
        </p>
      ) : null}
      <DialPad label={t('dialer.pad')} onKey={(key) => change(number + key)} />
      <button type="submit" className="primary call-button" disabled={!registered || number.trim() === ''}>
        {t('dialer.call')}
      </button>
      {registered ? null : <p className="hint">{t('dialer.notRegistered')}</p>}
    </form>
  );
}
