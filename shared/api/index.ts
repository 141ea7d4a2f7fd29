export * from './auth-schemas';
export * from './call-schemas';
export * from './common-schemas';
export * from './endpoints';
export * from './openapi';
export * from './rate-schemas';
export * from './wallet-schemas';
