import { defineConfig } from 'vitest/config';

const shared = { environment: 'node', testTimeout: 30_000, hookTimeout: 60_000 } as const;

/**
 * Two groups, run one after the other. The real-time tests (real Kamailio, rtpengine, baresip, sipp and the
 * manager, with SIP timers and "cut within 2 s" assertions) run alone after everything else: next to the
 * manager's 10,000-operation and SIGKILL tests on two cores, the proxy's 1 s HTTP timeout to the manager
 * was missed and charges arrived late.
 */
export const config = defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx', 'test/manager/**/*.test.ts'],
          exclude: ['test/unit/deploy/**', 'test/unit/scripts/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'stack',
          include: ['test/unit/deploy/**/*.test.ts', 'test/unit/scripts/**/*.test.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

export default config;
