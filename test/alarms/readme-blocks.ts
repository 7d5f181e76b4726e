/** The alarm configuration the docs show, so tests can run exactly what the docs say. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { alarmRuleSchema, type AlarmRule } from '../../alarms/config.js';

const root = new URL('../../', import.meta.url);

/** The ```yaml blocks of a document that configure `alarms:`. */
export function alarmBlocks(relative: string): string[] {
  const text = readFileSync(new URL(relative, root), 'utf8');
  return [...text.matchAll(/```yaml\n(alarms:\n[\s\S]*?)```/g)].map((match) => match[1]!);
}

/** The page that documents the alarm rules (docs/components/alarms.md). */
export const ALARMS_PAGE = 'docs/components/alarms.md';

/** The `alarms` section of the alarms page's first block that has a rule named `name`. */
export function readmeAlarms(name: string): Record<string, unknown> {
  for (const block of alarmBlocks(ALARMS_PAGE)) {
    const alarms = (parse(block) as { alarms: { rules?: { name: string }[] } }).alarms;
    if (alarms.rules?.some((rule) => rule.name === name)) return alarms;
  }
  throw new Error(`${ALARMS_PAGE} shows no alarm rule named ${name}`);
}

/** The alarms page's rule named `name`, parsed as the config parses it. */
export function readmeRule(name: string): AlarmRule {
  const rules = readmeAlarms(name).rules as { name: string }[];
  return alarmRuleSchema.parse(rules.find((rule) => rule.name === name));
}
