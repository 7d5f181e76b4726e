/**
 * Where the login form sends the browser back to (`/login?next=`): a path on this server, never
 * another site. Browsers read `//host`, `/\host` and `\\host` as another host and drop tabs and
 * newlines from URLs (`/\t/host` is `//host`), so anything but a plain absolute path, checked as
 * sent and once %-decoded, becomes `/`.
 */
const FALLBACK = '/';

function plainPath(text: string): boolean {
  return (
    text.startsWith('/') &&
    !text.startsWith('//') &&
    !text.includes('\\') &&
    !/[\u0000-\u001f\u007f]/.test(text)
  );
}

export function localPath(next: string | null | undefined): string {
  if (typeof next !== 'string' || !plainPath(next)) return FALLBACK;
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return FALLBACK;
  }
  if (!plainPath(decoded)) return FALLBACK;
  const url = new URL(next, 'http://busbar.invalid');
  return url.origin === 'http://busbar.invalid' ? `${url.pathname}${url.search}${url.hash}` : FALLBACK;
}
