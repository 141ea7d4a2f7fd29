export * from './calling-codes';
export * from './calling-plan';
export * from './classify';
export * from './emergency-numbers';
export * from './extension-range';
export * from './line-types';
export * from './national-dialling';
export * from './short-numbers';
