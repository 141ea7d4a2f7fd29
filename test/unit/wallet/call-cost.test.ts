import { describe, expect, it } from 'vitest';
import type { ActivityItem } from '../../../shared/api/wallet-schemas.js';
import { chargeForCall } from '../../../renderer/src/wallet/call-cost.js';

const item = (kind: ActivityItem['kind'], reference: string, amountMinor: number): ActivityItem => ({
  transactionId: `t-${reference}`,
  seq: 1,
  kind,
  amountMinor,
  currency: 'EUR',
  balanceAfterMinor: 1000,
  createdAt: '2026-11-27T10:00:00.000Z',
  reference,
  call: null,
});

describe('the charge of a call in the history', () => {
  const activity = [
    item('topup', 'abc~1', 2500),
    item('call_charge', 'abcdef~42', -30),
    item('call_charge', 'abc~17', -126),
  ];

  it('is the call_charge whose reference is the Call-ID followed by ~', () => {
    expect(chargeForCall(activity, 'abc')?.amountMinor).toBe(-126);
    expect(chargeForCall(activity, 'abcdef')?.amountMinor).toBe(-30);
  });

  it('is nothing for a call without a charge, a top-up reference or no Call-ID', () => {
    expect(chargeForCall(activity, 'zzz')).toBeUndefined();
    expect(chargeForCall([item('topup', 'abc~1', 2500)], 'abc')).toBeUndefined();
    expect(chargeForCall(activity, undefined)).toBeUndefined();
    expect(chargeForCall(activity, '')).toBeUndefined();
  });
});
