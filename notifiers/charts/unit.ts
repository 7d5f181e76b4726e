/** The unit of a field when its name says it plainly (`used_percent`, `rx_bytes`, `power_w`), else undefined. */
export function unitOfField(field: string): string | undefined {
  const name = field.toLowerCase();
  if (name.endsWith('percent') || name.endsWith('_pct')) return '%';
  if (name.includes('bytes')) return 'B';
  if (name.includes('watts') || name.endsWith('_w') || (name.includes('power') && !name.includes('factor'))) {
    return 'W';
  }
  if (name.endsWith('celsius')) return '°C';
  return undefined;
}
