/** DI tokens for things that are not classes. */
export const REDIS = Symbol('Redis');
export const LOGGER = Symbol('Logger');
export const METRICS = Symbol('MetricsRegistry');
