// Next aliases `server-only` to its compiled copy; this gives TypeScript the (empty) module.
declare module 'server-only';
