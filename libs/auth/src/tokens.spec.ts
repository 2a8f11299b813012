import { digestMatches, generateToken, hashToken, looksLikeToken, TOKEN_LENGTH, tokenDigest } from './tokens';

describe('tokens', () => {
  it('are 100 alphanumeric characters (~595 bits) and never repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generateToken()));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(token).toMatch(new RegExp(`^[A-Za-z0-9]{${TOKEN_LENGTH}}$`));
    expect(TOKEN_LENGTH * Math.log2(62)).toBeGreaterThan(256);
  });

  it('are stored as SHA-256 digests and compared against them', () => {
    const token = generateToken();
    const stored = hashToken(token);
    expect(stored).toHaveLength(32);
    expect(stored.toString('utf8')).not.toContain(token);
    expect(digestMatches(tokenDigest(token), stored)).toBe(true);
    expect(digestMatches(tokenDigest(token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a')), stored)).toBe(
      false,
    );
    expect(digestMatches(tokenDigest(token), Buffer.alloc(16))).toBe(false);
    expect(digestMatches(token, stored)).toBe(false);
    expect(digestMatches(tokenDigest(token).toUpperCase(), stored)).toBe(false);
  });

  it('rejects garbage before it reaches the database', () => {
    expect(looksLikeToken(generateToken())).toBe(true);
    expect(looksLikeToken('short')).toBe(false);
    expect(looksLikeToken('x'.repeat(600))).toBe(false);
    expect(looksLikeToken("a'; DROP TABLE participant; --aaaaaaaa")).toBe(false);
  });
});
