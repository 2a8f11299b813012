export * from './participant-session';
export * from './sdp-munging';
