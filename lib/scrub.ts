// Removes a secret from text before it can reach an error, a stack or a log line. The backend,
// a proxy or the HTTP stack may echo what we sent, raw, JSON-escaped or URL-encoded.

export const REDACTED = '[redacted]';

export type Scrub = (text: string) => string;

/** A function that replaces every spelling of `secret` we might have sent with `[redacted]`. */
export function scrubberFor(secret: string): Scrub {
  if (secret === '') return (text) => text;
  const spellings = new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
  // Longest first, so a spelling that contains another is replaced whole.
  const ordered = [...spellings].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const spelling of ordered) out = out.split(spelling).join(REDACTED);
    return out;
  };
}

/** The URL with any user name and password masked; unparsable input is returned unchanged. */
export function redactUrlCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = parsed.username === '' ? '' : '***';
    parsed.password = parsed.password === '' ? '' : '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Masks `user:password@` in every URL inside `text` (messages that quote a URL). */
export const redactUrlsInText = (text: string): string => text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@');
