export * from './worker';
export * from './config/worker-config';
export * from './aggregation/rollup';
