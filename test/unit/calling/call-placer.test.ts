import { describe, expect, it, vi } from 'vitest';
import { dialIntentFor, type DialIntent } from '../../../shared/dial/dial-intent.js';
import { createCallPlacer, type Admission, type CallDialer, type CallGate } from '../../../renderer/src/calling/call-placer.js';

const fr = { dialCountry: 'FR', callerCountry: 'FR' } as const;

function intent(input: string): DialIntent {
  const result = dialIntentFor(input, fr);
  if (!result.ok) throw new Error(`not callable: ${input}`);
  return result.intent;
}

/** The SIP adapter as the placer sees it: records what it was asked to dial and hands out call ids. */
function fakeAdapter(connected = true) {
  const dialled: string[] = [];
  let prepared = 0;
  const dialer: CallDialer = {
    call(next) {
      if (!connected) return null;
      dialled.push(next.dialed);
      return `call-${dialled.length}`;
    },
    prepareCall() {
      prepared += 1;
    },
  };
  return { dialer, dialled, prepared: () => prepared };
}

/** A gate whose answer the test gives, when it chooses to. */
function heldGate() {
  const asked: DialIntent[] = [];
  const previews: (DialIntent | null)[] = [];
  let answer: ((admission: Admission) => void) | null = null;
  const gate: CallGate = {
    admit(next) {
      asked.push(next);
      return new Promise((resolve) => {
        answer = resolve;
      });
    },
    preview: (next) => previews.push(next),
  };
  return { gate, asked, previews, answer: (admission: Admission) => answer?.(admission) };
}

describe('the call placer', () => {
  it('dials an emergency number synchronously, before the gate, even a gate that throws', async () => {
    const adapter = fakeAdapter();
    const gate: CallGate = {
      admit: () => {
        throw new Error('wallet broken');
      },
      preview: () => {
        throw new Error('wallet broken');
      },
    };
    const placer = createCallPlacer({ dialer: adapter.dialer, gate, place: () => fr });
    for (const number of ['112', '15', '17', '18', '116117']) {
      const placed = placer.place(intent(number));
      // Already on its way when place() returns, before any microtask ran.
      expect(adapter.dialled.at(-1)).toBe(number);
      await expect(placed).resolves.toMatch(/^call-/);
    }
    expect(adapter.dialled).toEqual(['112', '15', '17', '18', '116117']);
  });

  it('asks the gate for everything else and returns the call id the adapter created', async () => {
    const adapter = fakeAdapter();
    const held = heldGate();
    const placer = createCallPlacer({ dialer: adapter.dialer, gate: held.gate, place: () => fr });
    const placedIds: string[] = [];
    const placing = placer.place(intent('+1 650 253 0000'));
    expect(held.asked.map((i) => i.dialed)).toEqual(['+16502530000']);
    expect(adapter.dialled).toEqual([]);
    held.answer({ go: true, placed: (id) => placedIds.push(id) });
    await expect(placing).resolves.toBe('call-1');
    expect(adapter.dialled).toEqual(['+16502530000']);
    // The paid call is tracked by the id the adapter returned, not guessed.
    expect(placedIds).toEqual(['call-1']);
  });

  it('places nothing when the gate says no, or fails', async () => {
    const adapter = fakeAdapter();
    const held = heldGate();
    const placer = createCallPlacer({ dialer: adapter.dialer, gate: held.gate, place: () => fr });
    const refused = placer.place(intent('08 99 12 34 56'));
    held.answer({ go: false });
    await expect(refused).resolves.toBeNull();

    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failing = createCallPlacer({ dialer: adapter.dialer, gate: { admit: () => Promise.reject(new Error('down')), preview: () => undefined }, place: () => fr });
    await expect(failing.place(intent('+16502530000'))).resolves.toBeNull();
    expect(error).toHaveBeenCalledOnce();
    error.mockRestore();
    expect(adapter.dialled).toEqual([]);
  });

  it('tells the gate when the adapter could not place the call', async () => {
    const adapter = fakeAdapter(false);
    const placed = vi.fn();
    const notPlaced = vi.fn();
    const placer = createCallPlacer({ dialer: adapter.dialer, gate: { admit: () => Promise.resolve({ go: true, placed, notPlaced }), preview: () => undefined }, place: () => fr });
    await expect(placer.place(intent('1002'))).resolves.toBeNull();
    expect(notPlaced).toHaveBeenCalledOnce();
    expect(placed).not.toHaveBeenCalled();
  });

  it('while typing: readies the adapter and previews the cost, never for an emergency number', () => {
    const adapter = fakeAdapter();
    const held = heldGate();
    const placer = createCallPlacer({ dialer: adapter.dialer, gate: held.gate, place: () => fr });
    placer.preview('0');
    placer.preview('+1 650 253 0000');
    placer.preview('112');
    placer.preview('');
    expect(adapter.prepared()).toBe(3);
    expect(held.previews.map((i) => i?.dialed ?? null)).toEqual([null, '+16502530000', null, null]);
    expect(held.asked).toEqual([]);
  });

  it('reads where the caller dials from at each use', () => {
    let place: { dialCountry: 'FR' | 'BE'; callerCountry: string } = fr;
    const placer = createCallPlacer({ dialer: fakeAdapter().dialer, gate: heldGate().gate, place: () => place });
    const french = placer.intentFor('0470123456');
    expect(french.ok && french.intent.dialed).toBe('+33470123456');
    place = { dialCountry: 'BE', callerCountry: 'FR' };
    const result = placer.intentFor('0470123456');
    expect(result.ok && result.intent.dialed).toBe('+32470123456');
  });
});
