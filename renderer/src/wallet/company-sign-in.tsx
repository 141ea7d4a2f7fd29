import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ManagerFailure } from '../../../shared/manager-link/manager-result.js';
import { assertNever } from '../../../shared/assert-never.js';
import { useWalletT, type WalletTranslate } from '../i18n/use-wallet-t.js';
import { useStore } from '../state/use-store.js';
import { useWallet } from './wallet-context.js';

/** Non-secret sign-in defaults kept between visits: the manager address and the email, never the password. */
const rememberedKey = 'cabine.company.v1';

function remembered(): { managerUrl: string; email: string } {
  try {
    const value: unknown = JSON.parse(window.localStorage.getItem(rememberedKey) ?? '{}');
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      return {
        managerUrl: typeof record['managerUrl'] === 'string' ? record['managerUrl'].slice(0, 2048) : '',
        email: typeof record['email'] === 'string' ? record['email'].slice(0, 254) : '',
      };
    }
  } catch {
    // Unreadable storage: start empty.
  }
  return { managerUrl: '', email: '' };
}

export function failureText(failure: ManagerFailure, t: WalletTranslate): string {
  switch (failure.kind) {
    case 'refused':
      if (failure.code === 'invalid_url') return t('company.failure.invalidUrl');
      if (failure.code === 'insecure_url') return t('company.failure.insecureUrl');
      return t('company.failure.refused', { message: failure.message });
    case 'invalid-credentials':
    case 'unreachable':
    case 'forbidden':
    case 'server':
    case 'signed-out':
      return t(`company.failure.${failure.kind}`);
    default:
      return assertNever(failure.kind);
  }
}

export interface CompanySignInProps {
  /** The manual SIP account form, offered under "Advanced". */
  readonly advanced: ReactNode;
  /**
   * Which form comes first. 'sip' when this deployment names a SIP server or a manual account was
   * remembered (a phone used without a manager); the company sign-in is then the folded option.
   */
  readonly primary: 'company' | 'sip';
  /** The manager address the page was served with, if any. */
  readonly defaultManagerUrl?: string;
}

/**
 * A folded section whose content exists only while open, so the two sign-in forms never put two
 * "Password" fields or two "Sign in" buttons on screen (or in the accessibility tree) at once.
 */
function Fold({ summary, hint, children }: { readonly summary: string; readonly hint?: string; readonly children: ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="advanced-sign-in" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>{summary}</summary>
      {open ? (
        <>
          {hint !== undefined ? <p className="hint">{hint}</p> : null}
          {children}
        </>
      ) : null}
    </details>
  );
}

/** The company sign-in (manager address, email, password); the SIP settings then come from the manager. */
export function CompanySignIn({ advanced, primary, defaultManagerUrl }: CompanySignInProps) {
  const wallet = useWallet();
  const state = useStore(wallet.store);
  const { t } = useWalletT();
  const id = useId();
  const [initial] = useState(remembered);
  const [managerUrl, setManagerUrl] = useState(initial.managerUrl || defaultManagerUrl || '');
  const [email, setEmail] = useState(initial.email);
  const [password, setPassword] = useState('');
  const busy = state.signIn.kind === 'signing-in';
  const failure = state.signIn.kind === 'failed' ? state.signIn.failure : null;

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    if (busy) return;
    try {
      window.localStorage.setItem(rememberedKey, JSON.stringify({ managerUrl: managerUrl.trim(), email: email.trim() }));
    } catch {
      // Storage full or denied: the form still works.
    }
    void wallet.signIn({ managerUrl: managerUrl.trim(), email: email.trim(), password }).then(() => setPassword(''));
  };

  if (state.session !== null) {
    // Signed in to the company, the phone not (yet) registered: say so rather than show the form again.
    return (
      <section className="company-sign-in card" aria-labelledby={`${id}-heading`}>
        <h2 id={`${id}-heading`}>{t('company.heading')}</h2>
        <p>{state.session.user.displayName}</p>
        {state.sipProblem !== null ? (
          <p className="error" role="alert">
            {t(state.sipProblem.code === 'insecure_sip_server' ? 'company.insecureSipServer' : 'company.sipProblem')}
          </p>
        ) : null}
        <button type="button" onClick={() => void wallet.signOut()}>
          {t('company.signOut')}
        </button>
      </section>
    );
  }

  const companyForm = (
      <form className="company-sign-in card" onSubmit={submit} aria-labelledby={`${id}-heading`} aria-busy={busy}>
        <h2 id={`${id}-heading`}>{t('company.heading')}</h2>
        <label htmlFor={`${id}-url`}>{t('company.managerUrl')}</label>
        <input id={`${id}-url`} type="url" inputMode="url" autoComplete="url" placeholder="https://manager.example.fr" value={managerUrl} onChange={(e) => setManagerUrl(e.target.value)} required />
        <label htmlFor={`${id}-email`}>{t('company.email')}</label>
        <input id={`${id}-email`} type="email" autoComplete="username" autoCapitalize="none" spellCheck={false} value={email} onChange={(e) => setEmail(e.target.value)} required />
        <label htmlFor={`${id}-password`}>{t('company.password')}</label>
        <input id={`${id}-password`} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        {failure !== null ? (
          <p className="error" role="alert">
            {failureText(failure, t)}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('company.signingIn') : t('company.submit')}
        </button>
      </form>
  );

  return (
    <div className="company-sign-in-column">
      {primary === 'company' ? (
        <>
          {companyForm}
          <Fold summary={t('company.advanced')} hint={t('company.advancedHint')}>
            {advanced}
          </Fold>
        </>
      ) : (
        <>
          {advanced}
          <Fold summary={t('company.heading')}>{companyForm}</Fold>
        </>
      )}
    </div>
  );
}
