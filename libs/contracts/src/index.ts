export * from './config-events';
export * from './redis-keys';
export * from './usage';
