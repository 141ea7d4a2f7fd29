export * from './rate-deck';
export * from './rate-index';
export * from './tariff';
export * from './rating-key';
export * from './rate-labels';
