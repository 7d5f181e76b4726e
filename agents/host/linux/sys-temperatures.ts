/**
 * CPU temperatures read from /sys with async file reads. systeminformation's cpuTemperature() gets
 * the same values by starting shells: `execSync('cat /sys/class/thermal/thermal_zone*…')`, which
 * holds the event loop of the whole busbar process (its broker included) for the life of a shell,
 * then `exec` of a loop over hwmon and of `sensors`: three processes every sample. In the broker's
 * latency benchmark that was the largest single stall of the loop (docs/performance.md, "Broker
 * latency"). The rules below are systeminformation's, so the readings keep their meaning:
 * thermal zones `acpi*` are sockets, `pch*` the chipset, the first zone naming `cpu` a fallback for
 * the main value; hwmon `Core N` labels are cores, `Package`/`Physical`/`Tccd1`/`Tctl`/`Tdie` the main.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { TempReading } from '../readings.js';

/** A sensor as /sys names it: a thermal zone's `type` or a hwmon input's `label`, and millidegrees. */
export interface SysSensor {
  name: string;
  milliCelsius: number;
}

const celsius = (milli: number): number => Math.round(milli / 100) / 10;

export function temperaturesFrom(zones: SysSensor[], hwmon: SysSensor[]): TempReading {
  const reading = {
    main: null as number | null,
    cores: [] as number[],
    socket: [] as number[],
    chipset: null as number | null,
  };
  let zoneCpu: number | null = null;
  for (const zone of zones) {
    const name = zone.name.toLowerCase();
    if (name.startsWith('acpi')) reading.socket.push(celsius(zone.milliCelsius));
    if (name.startsWith('pch')) reading.chipset = celsius(zone.milliCelsius);
    if (zoneCpu === null && name.includes('cpu')) zoneCpu = celsius(zone.milliCelsius);
  }
  let die: number | null = null;
  for (const sensor of hwmon) {
    const label = sensor.name.toLowerCase();
    const value = celsius(sensor.milliCelsius);
    if (label === 'tctl' || label === 'tdie') die ??= value;
    else if (label.startsWith('core')) reading.cores.push(value);
    else if (reading.main === null && /package|physical|^tccd1$/.test(label)) reading.main = value;
  }
  reading.main ??= die;
  if (reading.main === null && reading.cores.length > 0) {
    reading.main = Math.round(reading.cores.reduce((sum, value) => sum + value, 0) / reading.cores.length);
  }
  reading.main ??= zoneCpu;
  return reading;
}

/** Reads every thermal zone and every labelled hwmon temperature under `root` (`/sys/class`). */
export async function readSysTemperatures(root = '/sys/class'): Promise<TempReading> {
  const [zones, hwmon] = await Promise.all([
    sensorsIn(path.join(root, 'thermal'), /^thermal_zone\d+$/, (dir) => [
      { name: path.join(dir, 'type'), value: path.join(dir, 'temp') },
    ]),
    sensorsIn(path.join(root, 'hwmon'), /^hwmon\d+$/, async (dir) =>
      (await entries(dir))
        .filter((file) => /^temp\d+_label$/.test(file))
        .map((file) => ({
          name: path.join(dir, file),
          value: path.join(dir, file.replace(/_label$/, '_input')),
        })),
    ),
  ]);
  return temperaturesFrom(zones, hwmon);
}

type Files = { name: string; value: string }[];

async function sensorsIn(
  dir: string,
  pattern: RegExp,
  filesOf: (dir: string) => Files | Promise<Files>,
): Promise<SysSensor[]> {
  const devices = (await entries(dir)).filter((name) => pattern.test(name)).sort(byNumber);
  const perDevice = await Promise.all(devices.map(async (name) => filesOf(path.join(dir, name))));
  const sensors = await Promise.all(perDevice.flat().map(readSensor));
  return sensors.filter((sensor): sensor is SysSensor => sensor !== undefined);
}

/** A sensor whose files vanished or hold no number (a zone being torn down) is left out, as absent. */
async function readSensor(files: { name: string; value: string }): Promise<SysSensor | undefined> {
  const [name, value] = await Promise.all([optional(files.name), optional(files.value)]);
  const milliCelsius = Number.parseInt(value ?? '', 10);
  if (name === undefined || !Number.isFinite(milliCelsius)) return undefined;
  return { name: name.trim(), milliCelsius };
}

/** A directory's entries, none where it does not exist (a host or container without sensors). */
async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

async function optional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    // EINVAL/ENODATA: some drivers refuse reads of an idle sensor; that sensor has no value now.
    if (
      isMissing(error) ||
      ['EINVAL', 'ENODATA', 'EIO'].includes((error as NodeJS.ErrnoException).code ?? '')
    )
      return undefined;
    throw error;
  }
}

const isMissing = (error: unknown): boolean =>
  ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/** thermal_zone2 before thermal_zone10, as the shell's glob would not do but a reader expects. */
const byNumber = (a: string, b: string): number => Number(/\d+$/.exec(a)?.[0]) - Number(/\d+$/.exec(b)?.[0]);
