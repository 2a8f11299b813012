export * from './platform';
export * from './http';
export * from './app-socket';
export * from './browser';
export * from './participants';
export * from './media-testbed';
export * from './rtmp-sink';
