/**
 * Reads a `clear` pattern as the literal key prefix it stands for. Stores clear by prefix only (no
 * store can list keys cheaply everywhere, memcached not at all), so the glob forms accepted are the
 * ones a prefix can express: `'posts:'` and `'posts:*'` both mean "keys starting with `posts:`".
 * A backslash makes the next character literal (`'a\\*b'` is the prefix `a*b`); any other
 * unescaped glob character (`*` before the end, `?`, `[`) throws a `TypeError` naming `method`.
 * The prefix returned is literal: the store escapes it, so a `*` or `[` in it never matches
 * another application's keys.
 */
export function patternToPrefix(pattern: string, method: string): string {
  let prefix = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\' && i + 1 < pattern.length) {
      prefix += pattern[++i];
    } else if (char === '*' && i === pattern.length - 1) {
      return prefix;
    } else if (char === '*' || char === '?' || char === '[') {
      throw new TypeError(
        `${method}: pattern ${JSON.stringify(pattern)} uses glob syntax other than a trailing "*"; stores clear by key prefix only (escape a literal character with "\\\\")`,
      );
    } else {
      prefix += char;
    }
  }
  return prefix;
}
