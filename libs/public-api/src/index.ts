export * from './api-dispatch';
export * from './public-api.module';
export * from './serve';
