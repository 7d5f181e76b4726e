/**
 * `{name}` placeholders filled from topic captures. Compiled once per rule so the per-message
 * work is a join, not a regex.
 */
export type Template = (captures: Record<string, string>) => string;

export function compileTemplate(text: string, known: ReadonlySet<string>, where: string): Template {
  const parts = text.split(/\{([^{}]+)\}/);
  if (parts.length === 1) return () => text;
  for (let i = 1; i < parts.length; i += 2) {
    if (!known.has(parts[i]!)) {
      throw new Error(`${where}: "{${parts[i]}}" is not a named segment of the topic pattern`);
    }
  }
  return (captures) => {
    let out = '';
    for (let i = 0; i < parts.length; i++) out += i % 2 === 0 ? parts[i] : (captures[parts[i]!] ?? '');
    return out;
  };
}
