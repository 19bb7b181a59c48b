export * from './config-events';
export * from './cost-rules';
export * from './redis-keys';
export * from './usage';
export * from './events';
export * from './outbound-address';
