export const LAYOUTS = ['mosaic', 'selector', 'presenting_mosaic', 'presenting_selector'] as const;
export type Layout = (typeof LAYOUTS)[number];

export const ROLES = ['moderator', 'presenter', 'speaker', 'attendee'] as const;
export type Role = (typeof ROLES)[number];

export const LANGUAGES = [
  'ar',
  'cs',
  'de',
  'en',
  'es',
  'fr',
  'hi',
  'hu',
  'it',
  'ja',
  'ko',
  'nl',
  'pl',
  'pt',
  'ru',
  'tr',
  'zh',
] as const;
export type Language = (typeof LANGUAGES)[number];

export const DIAL_STATUSES = [
  'answered',
  'declined',
  'interrupted',
  'unavailable',
  'busy',
  'timeout',
  'error',
] as const;
export type DialStatus = (typeof DIAL_STATUSES)[number];
