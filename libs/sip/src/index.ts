export * from './sip-address';
