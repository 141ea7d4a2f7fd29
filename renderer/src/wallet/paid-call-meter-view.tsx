import { formatDuration } from '../i18n/format.js';
import { useWalletT } from '../i18n/use-wallet-t.js';
import { useStore } from '../state/use-store.js';
import { useNow } from '../ui/use-now.js';
import { usePhone } from '../ui/phone-context.js';
import { readMeter } from './paid-call-meter.js';
import { useWallet } from './wallet-context.js';
import { formatMoney, formatRate } from './wallet-format.js';

/** During a paid call: running cost, time left, and a warning one minute before the funds run out. */
export function PaidCallMeterView() {
  const wallet = useWallet();
  const phone = usePhone();
  const { paidCall, callFunding } = useStore(wallet.store);
  const { calls } = useStore(phone.calls);
  const { t, language } = useWalletT();
  const call = paidCall?.callId === null || paidCall === null ? undefined : calls.find((c) => c.id === paidCall.callId);
  const answeredAt = call?.answeredAt ?? null;
  const now = useNow(1000, answeredAt !== null);
  if (paidCall === null || call === undefined || answeredAt === null) return null;
  const { quote } = paidCall;
  // The manager's funded time for this call (where the proxy cuts it), once the event stream carried it.
  const funded = callFunding?.find((entry) => entry.sipCallId === call.sipCallId)?.maxDurationSeconds ?? null;
  const reading = readMeter(quote, (now - answeredAt) / 1000, funded);
  return (
    <section className="paid-call-meter card" aria-label={t('meter.label')}>
      {quote.rate !== null ? <p className="hint">{t('meter.rate', { rate: formatRate(quote.rate.pricePerMinute.decimal, quote.currency, language) })}</p> : null}
      <dl>
        <dt>{t('meter.cost')}</dt>
        <dd data-testid="meter-cost">{formatMoney(reading.costMinor, quote.currency, language)}</dd>
        {reading.secondsLeft !== null ? (
          <>
            <dt>{t('meter.timeLeft')}</dt>
            <dd data-testid="meter-time-left" data-seconds-left={reading.secondsLeft} data-funded-seconds={funded ?? ''} data-ends-at={funded === null ? '' : answeredAt + funded * 1000}>{formatDuration(reading.secondsLeft)}</dd>
          </>
        ) : null}
      </dl>
      {reading.warning ? (
        <p className="wallet-low" role="alert">
          {t('meter.warning')}
        </p>
      ) : null}
    </section>
  );
}
