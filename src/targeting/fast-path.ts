/**
 * The single-request fast path: generated ahead of time from the request's definition
 * (request-schema.ts) by scripts/fast-paths.mjs into fast-path.generated.ts. This module
 * keeps the name other code imports it by.
 */
export { fastTargetingRequest } from './fast-path.generated.js';
