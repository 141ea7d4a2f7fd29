import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { RateIndex } from '../../../shared/rating/rate-index';
import { indexRateDeck } from '../../../shared/rating/rate-index';
import { parseRateDeck } from '../../../shared/rating/rate-deck';

/** The rate deck in use, loaded once at start-up; its version goes on every charge. */
export interface RateCatalog {
  readonly index: RateIndex;
  /** True for the shipped SAMPLE deck: pages and the API say so. */
  readonly sample: boolean;
}

/** Reads, validates and indexes a CSV deck; throws `RateDeckError` listing every bad line. */
export function loadRateCatalog(path: string): RateCatalog {
  const csv = readFileSync(path, 'utf8');
  const deck = parseRateDeck(csv, createHash('sha256').update(csv).digest('hex'));
  return { index: indexRateDeck(deck), sample: /SAMPLE/.test(csv.split('\n', 1)[0] ?? '') };
}
