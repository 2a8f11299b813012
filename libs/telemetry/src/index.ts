export * from './sdk';
export * from './tracing';
export * from './metrics';
export * from './http-server';
