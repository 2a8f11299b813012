import { hash, randomInt, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 100 characters of a 62-letter alphabet: ~595 bits of entropy, the shape of the reference's tokens. */
export const TOKEN_LENGTH = 100;

export function generateToken(length = TOKEN_LENGTH): string {
  let token = '';
  for (let i = 0; i < length; i++) token += ALPHABET[randomInt(ALPHABET.length)];
  return token;
}

/** Tokens are stored as SHA-256 digests only; the clear token is shown once, at creation. */
export function hashToken(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

/**
 * What travels between services instead of a caller's token: its digest, as stored. Whoever reads the
 * internal messages learns nothing they could present to the public API.
 */
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'hex');
}

export const isTokenDigest = (value: string) => /^[0-9a-f]{64}$/.test(value);

/** Compares a presented digest (hex) with a stored one in constant time. */
export function digestMatches(digest: string, storedHash: Buffer): boolean {
  if (!isTokenDigest(digest)) return false;
  const presented = Buffer.from(digest, 'hex');
  return storedHash.length === presented.length && timingSafeEqual(presented, storedHash);
}

/** Cheap shape check so that garbage never reaches the database. */
export function looksLikeToken(token: string): boolean {
  return token.length >= 16 && token.length <= 512 && /^[A-Za-z0-9._~+/=-]+$/.test(token);
}
