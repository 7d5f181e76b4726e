/** CPU temperatures read from /sys files (no shell), on directory trees laid out as Linux does. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSysTemperatures, temperaturesFrom } from '../../agents/host/linux/sys-temperatures.js';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

/** Writes `files` (path under the root → content) and returns the root, as /sys/class. */
async function sysClass(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'busbar-sys-'));
  roots.push(root);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  return root;
}

describe('readSysTemperatures', () => {
  it('an Intel host: package as main, cores in order, ACPI socket and PCH chipset from thermal zones', async () => {
    const root = await sysClass({
      'thermal/thermal_zone0/type': 'acpitz\n',
      'thermal/thermal_zone0/temp': '27800\n',
      'thermal/thermal_zone1/type': 'pch_cannonlake\n',
      'thermal/thermal_zone1/temp': '45000\n',
      'thermal/thermal_zone2/type': 'x86_pkg_temp\n',
      'thermal/thermal_zone2/temp': '51000\n',
      'hwmon/hwmon3/name': 'coretemp\n',
      'hwmon/hwmon3/temp1_label': 'Package id 0\n',
      'hwmon/hwmon3/temp1_input': '51000\n',
      'hwmon/hwmon3/temp2_label': 'Core 0\n',
      'hwmon/hwmon3/temp2_input': '49000\n',
      'hwmon/hwmon3/temp3_label': 'Core 1\n',
      'hwmon/hwmon3/temp3_input': '47550\n',
      // An input without a label is not named, so it is not read (as systeminformation does).
      'hwmon/hwmon3/temp4_input': '99000\n',
    });
    expect(await readSysTemperatures(root)).toEqual({
      main: 51,
      cores: [49, 47.6],
      socket: [27.8],
      chipset: 45,
    });
  });

  it('a host without sensors (this kind of VM or container): nothing, no error', async () => {
    const empty = await sysClass({ 'thermal/cooling_device0/type': 'Processor\n' });
    expect(await readSysTemperatures(empty)).toEqual({ main: null, cores: [], socket: [], chipset: null });
    const missing = path.join(empty, 'no-such-dir');
    expect(await readSysTemperatures(missing)).toEqual({ main: null, cores: [], socket: [], chipset: null });
  });

  it('a sensor whose value cannot be read now is left out, the others kept', async () => {
    const root = await sysClass({
      'thermal/thermal_zone0/type': 'cpu-thermal\n',
      'thermal/thermal_zone0/temp': '\n',
      'thermal/thermal_zone1/type': 'acpitz\n',
      'thermal/thermal_zone1/temp': '30000\n',
    });
    expect(await readSysTemperatures(root)).toMatchObject({ main: null, socket: [30] });
  });
});

describe('temperaturesFrom', () => {
  it('an AMD host: Tctl is the main value when there is no package sensor', () => {
    const reading = temperaturesFrom(
      [],
      [
        { name: 'Tctl', milliCelsius: 62_125 },
        { name: 'Tccd2', milliCelsius: 58_000 },
      ],
    );
    expect(reading.main).toBe(62.1);
    expect(reading.cores).toEqual([]);
  });

  it('without a package sensor, the mean of the cores; without cores, a thermal zone naming the CPU', () => {
    expect(
      temperaturesFrom(
        [],
        [
          { name: 'Core 0', milliCelsius: 40_000 },
          { name: 'Core 1', milliCelsius: 45_000 },
        ],
      ).main,
    ).toBe(43); // rounded like systeminformation: Math.round(42.5)
    expect(temperaturesFrom([{ name: 'cpu-thermal', milliCelsius: 55_400 }], []).main).toBe(55.4);
  });
});
