export * from './health';
export * from './dependencies';
