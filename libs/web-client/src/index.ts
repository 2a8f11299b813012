export * from './participant-session';
export * from './sdk-edits';
