export * from './limit-math';
export * from './rate-limiter';
export * from './redis-script-connection';
export * from './stacked-limits.lua';
export * from './local-window';
export * from './quota-counter';
export * from './cluster-script-connection';
