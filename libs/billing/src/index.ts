export * from './money';
export * from './period';
export * from './rating';
export * from './rating-inputs';
export * from './reconciliation';
export * from './period.lua';
