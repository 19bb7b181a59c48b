/**
 * The management API's wire shapes: request bodies, query strings, responses, the list envelope
 * and its limits, as zod schemas with their inferred types. The management API validates with them
 * and builds its OpenAPI document from them; the portal is typed by them and validates its forms
 * with them. Browser-safe: no Node-only imports (`@apim/contracts/management`).
 */
export * from './common';
export * from './api-import';
export * from './apis';
export * from './apps';
export * from './audit';
export * from './auth';
export * from './config';
export * from './errors';
export * from './consumers';
export * from './keys';
export * from './notifications';
export * from './plans';
export * from './reports';
export * from './teams';
export * from './usage';
export * from './users';
export * from './webhooks';
