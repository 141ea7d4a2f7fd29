import { useId, useState, type FormEvent } from 'react';
import { sipAccountSchema, type SipAccount } from '../../../shared/settings.js';
import { checkSipServerUrl } from '../../../shared/sip/server-url.js';
import { useT } from '../i18n/use-t.js';
import type { MessageKey } from '../i18n/en.js';
import { usePhone } from './phone-context.js';

export interface SignInFormProps {
  /** Prefill: the remembered account, else the server the page was served with. */
  readonly initial: Partial<SipAccount>;
  /** A password the desktop host remembered. */
  readonly initialPassword?: string;
}

type Field = 'server' | 'username' | 'domain' | 'password';

const fieldErrors: Readonly<Record<Field, MessageKey>> = {
  server: 'signIn.invalidServer',
  username: 'signIn.invalidUsername',
  domain: 'signIn.invalidDomain',
  password: 'signIn.invalidPassword',
};

/** Server, username, password, domain and "remember me"; validated with the shared schema before use. */
export function SignInForm({ initial, initialPassword }: SignInFormProps) {
  const phone = usePhone();
  const { t } = useT();
  const id = useId();
  const [server, setServer] = useState(initial.server ?? '');
  const [username, setUsername] = useState(initial.username ?? '');
  const [password, setPassword] = useState(initialPassword ?? '');
  const [domain, setDomain] = useState(initial.domain ?? '');
  const [remember, setRemember] = useState(initial.username !== undefined);
  const [invalid, setInvalid] = useState<Field | null>(null);
  const [message, setMessage] = useState<MessageKey | null>(null);
  const fail = (field: Field, key: MessageKey = fieldErrors[field]): void => {
    setInvalid(field);
    setMessage(key);
  };

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    // ws:// only to this machine: say which rule the address broke (shared/sip/server-url.ts).
    const serverCheck = checkSipServerUrl(server.trim());
    if (serverCheck !== 'ok') {
      fail('server', serverCheck === 'insecure' ? 'signIn.insecureServer' : 'signIn.invalidServer');
      return;
    }
    const account = sipAccountSchema.safeParse({ server: server.trim(), username: username.trim(), domain: domain.trim() });
    if (!account.success) {
      const first = account.error.issues[0]?.path[0];
      fail(first === 'server' || first === 'username' || first === 'domain' ? first : 'server');
      return;
    }
    if (password === '') {
      fail('password');
      return;
    }
    setInvalid(null);
    setMessage(null);
    void phone.signIn({ account: account.data, password }, remember);
  };

  const described = (field: Field): { 'aria-invalid': boolean; 'aria-describedby'?: string } =>
    invalid === field ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : { 'aria-invalid': false };

  return (
    <form className="sign-in card" onSubmit={submit} noValidate aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('signIn.heading')}</h2>
      <label htmlFor={`${id}-server`}>{t('signIn.server')}</label>
      <input
        id={`${id}-server`}
        type="url"
        inputMode="url"
        autoComplete="url"
        placeholder="wss://sip.example.fr"
        value={server}
        onChange={(e) => setServer(e.target.value)}
        required
        {...described('server')}
      />
      <label htmlFor={`${id}-username`}>{t('signIn.username')}</label>
      <input
        id={`${id}-username`}
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        required
        {...described('username')}
      />
      <label htmlFor={`${id}-password`}>{t('signIn.password')}</label>
      <input
        id={`${id}-password`}
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        required
        {...described('password')}
      />
      <label htmlFor={`${id}-domain`}>{t('signIn.domain')}</label>
      <input
        id={`${id}-domain`}
        autoCapitalize="none"
        spellCheck={false}
        placeholder="cabine.test"
        value={domain}
        onChange={(e) => setDomain(e.target.value)}
        required
        {...described('domain')}
      />
      <label className="checkbox">
        <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
        {t('signIn.remember')}
      </label>
      {phone.host.kind === 'web' && remember ? <p className="hint">{t('signIn.passwordNotKept')}</p> : null}
      {invalid !== null && message !== null ? (
        <p id={`${id}-error`} className="error" role="alert">
          {t(message)}
        </p>
      ) : null}
      <button type="submit" className="primary">
        {t('signIn.submit')}
      </button>
    </form>
  );
}
