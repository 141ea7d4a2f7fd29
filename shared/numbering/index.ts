export * from './calling-codes';
export * from './calling-plan';
export * from './classify';
export * from './emergency-numbers';
export * from './national-plans';
