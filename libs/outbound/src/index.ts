export * from './address-ranges';
export * from './outbound-policy';
