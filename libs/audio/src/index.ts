export * from './opus';
export * from './g711';
export * from './resample';
export * from './jitter-buffer';
export * from './telephone-event';
export * from './g722';
