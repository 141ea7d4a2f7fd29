export * from './manager-client';
export * from './manager-result';
export * from './manager-session';
export * from './manager-url';
export * from './sse-parser';
export * from './wallet-stream';
export * from './add-funds-url';
export * from './sign-in-to-company';
