export const LAYOUTS = ['mosaic', 'selector', 'presenting_mosaic', 'presenting_selector'] as const;
export type Layout = (typeof LAYOUTS)[number];

export const ROLES = ['moderator', 'presenter', 'speaker', 'attendee'] as const;
export type Role = (typeof ROLES)[number];

/** A participant's two media sources: its camera and microphone, and its screen. */
export type Source = 'primary' | 'secondary';

/**
 * Which of a role's sources enter the mixed `conference` stream (and so the recording and the
 * transcription): an attendee's none, a speaker's primary, a presenter's and a moderator's both.
 */
export function entersMix(role: Role, source: Source): boolean {
  if (role === 'attendee') return false;
  return source === 'primary' || role === 'presenter' || role === 'moderator';
}

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
