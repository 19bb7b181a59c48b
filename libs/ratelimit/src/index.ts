export * from './limit-math';
export * from './rate-limiter';
export * from './sliding-log.lua';
