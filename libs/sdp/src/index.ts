export * from './offer';
export * from './rtp-mapping';
export * from './answer';
export * from './media-codecs';
