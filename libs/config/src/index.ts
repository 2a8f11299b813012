export * from './variables';
export * from './config';
