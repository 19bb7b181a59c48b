export * from './limit-math';
export * from './rate-limiter';
export * from './redis-script-connection';
export * from './sliding-log.lua';
export * from './local-window';
