import { useEffect, useState } from 'react';
import type { QualityAssessment } from '../calling/call-quality.js';
import { startQualitySampler } from '../calling/call-quality-sampler.js';
import { useDevicesT, type DevicesTranslate } from '../i18n/use-devices-t.js';
import { usePhone } from './phone-context.js';

function warningText(assessment: QualityAssessment, t: DevicesTranslate): string | null {
  const values = { loss: Math.round(assessment.lossFraction * 100), rtt: Math.round(assessment.rttMs ?? 0) };
  if (assessment.verdict === 'good' || assessment.cause === 'none') return null;
  if (assessment.cause === 'loss') return t(assessment.verdict === 'poor' ? 'quality.warning.poorLoss' : 'quality.warning.fairLoss', values);
  return t(assessment.verdict === 'poor' ? 'quality.warning.poorDelay' : 'quality.warning.fairDelay', values);
}

/**
 * The live quality of one established call (calling/call-quality.ts), with a warning in plain words when
 * it degrades. Accessible name "Call quality" (automation contract); `data-quality` (measuring, good, fair,
 * poor) is the end-to-end tests' hook.
 */
export function CallQualityIndicator({ callId }: { readonly callId: string }) {
  const phone = usePhone();
  const { t } = useDevicesT();
  const [assessment, setAssessment] = useState<QualityAssessment | null>(null);

  useEffect(() => startQualitySampler(() => phone.callStats(callId), setAssessment), [phone, callId]);

  const verdict = assessment?.verdict ?? 'measuring';
  const warning = assessment === null ? null : warningText(assessment, t);
  return (
    <div className={`call-quality quality-${verdict}`} role="group" aria-label={t('quality.label')} data-quality={verdict}>
      <span className="quality-verdict">
        {t('quality.label')}: {t(assessment === null ? 'quality.measuring' : `quality.${assessment.verdict}`)}
      </span>
      {assessment === null ? null : (
        <span className="quality-figures">
          {' '}
          ({t('quality.figures', {
            rtt: Math.round(assessment.rttMs ?? 0),
            jitter: Math.round(assessment.jitterMs ?? 0),
            loss: Math.round(assessment.lossFraction * 100),
          })})
        </span>
      )}
      <p className="quality-warning" aria-live="polite">
        {warning}
      </p>
    </div>
  );
}
