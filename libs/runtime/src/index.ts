export * from './run-service';
export * from './tokens';
