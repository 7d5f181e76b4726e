import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import { configKeys } from '../../config/reference/keys.js';
import {
  componentNames,
  configSample,
  uncommentSettings,
  UnknownComponentError,
} from '../../config/reference/sample.js';

const defaults = parseConfig({}, { env: {} });
const validate = (text: string) => parseConfig(parse(text), { env: {} });

describe('busbar config sample', () => {
  it('as printed, is all comments: a valid (default) config', () => {
    const sample = configSample();
    expect(sample.split('\n').every((line) => line === '' || /^\s*#/.test(line))).toBe(true);
    expect(validate(sample)).toEqual(defaults);
  });

  it('with every setting uncommented, is exactly the embedded defaults', () => {
    const uncommented = uncommentSettings(configSample());
    expect(uncommented).toMatch(/^broker:\n  ## Run the embedded broker.*\n  enabled: true\n/m);
    expect(validate(uncommented)).toEqual(defaults);
  });

  it('of one component, uncommented, is that component at its defaults', () => {
    for (const name of componentNames()) {
      const written = parse(uncommentSettings(configSample(name))) as Record<string, unknown> | null;
      expect(Object.keys(written ?? {}).filter((key) => key !== name)).toEqual([]);
      expect(validate(uncommentSettings(configSample(name)))).toEqual(defaults);
    }
  });

  it('describes every key of the component, with its default', () => {
    const sample = configSample('broker');
    for (const key of configKeys().filter((k) => k.path.startsWith('broker.'))) {
      const firstWords = key.description!.split(/\s+/).slice(0, 4).join(' ');
      expect(sample.replace(/\n\s*##\s+/g, ' ')).toContain(firstWords);
    }
    expect(sample).toContain('  ## Larger packets close the connection.\n  # maxPacketSize: 1MiB\n');
    expect(sample).toContain('##   [].path (string, default /mqtt, only with type: ws):');
  });

  it('names the components when asked for one that does not exist', () => {
    expect(() => configSample('brokers')).toThrow(UnknownComponentError);
    expect(() => configSample('brokers')).toThrow(/one of: baseTopic, log, broker, bus, ingest/);
  });
});
