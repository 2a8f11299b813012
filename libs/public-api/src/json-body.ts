import type { ErrorBody } from '@mind/contracts';

/** No route's body nests deeper; deeper JSON only serves to exhaust a stack somewhere down the line. */
export const MAX_JSON_DEPTH = 32;

/**
 * What is wrong with a parsed JSON body whatever the route: nesting deeper than `MAX_JSON_DEPTH`, or a
 * NUL character in a string or a key (PostgreSQL text cannot hold one). Walked without recursion.
 */
export function jsonBodyProblem(body: unknown): ErrorBody | null {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000'))
        return {
          error: `${path || 'request body'} contains a NUL character`,
          ...(path ? { field: path } : {}),
        };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_JSON_DEPTH) return { error: `request body nests deeper than ${MAX_JSON_DEPTH} levels` };
    for (const [key, child] of Object.entries(value)) {
      if (key.includes('\u0000')) return { error: 'request body has a key with a NUL character' };
      pending.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return null;
}

/**
 * A URL as it may be logged: the value of every query parameter whose decoded, case-folded name is
 * `access_token` is replaced, however often and however it is written.
 */
export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  if (question < 0) return url;
  const query = url
    .slice(question + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      return decodedName(name).toLowerCase() === 'access_token' ? `${name}=…` : pair;
    });
  return `${url.slice(0, question)}?${query.join('&')}`;
}

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}
