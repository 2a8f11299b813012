export * from './tokens';
export * from './permissions';
