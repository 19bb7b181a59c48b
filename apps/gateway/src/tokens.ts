/** Nest injection tokens for things that are not classes. */
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
export const PG_POOL = Symbol('PgPool');
/** Rate-limit connection: no offline queue, short command timeout, auto-pipelining. */
export const RATE_LIMIT_REDIS = Symbol('RateLimitRedis');
/** BullMQ connection (maxRetriesPerRequest null, offline queue on). */
export const QUEUE_REDIS = Symbol('QueueRedis');
/** Subscriber connection for config-change messages. */
export const SUBSCRIBER_REDIS = Symbol('SubscriberRedis');
export const LOGGER = Symbol('Logger');
