/** The alarms page's form for any silence, read into the body of `POST /api/silences`. */

export interface SilenceRequest {
  matchers: Record<string, string>;
  comment: string;
  /** An end chosen in the viewer's zone, else a duration from now. */
  endsAt?: string;
  duration?: string;
}

/** `label=pattern` a line (or comma-separated); lines without `=` are left out. */
export function parseMatchers(text: string): Record<string, string> {
  const matchers: Record<string, string> = {};
  for (const line of text.split(/[\n,]/)) {
    const at = line.indexOf('=');
    if (at > 0) matchers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return matchers;
}

export function silenceRequest(form: HTMLFormElement): SilenceRequest {
  const field = (name: string): string =>
    (form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement).value;
  const request: SilenceRequest = { matchers: parseMatchers(field('matchers')), comment: field('comment') };
  const endsAt = field('endsAt');
  if (endsAt) request.endsAt = new Date(endsAt).toISOString();
  else request.duration = field('duration');
  return request;
}
