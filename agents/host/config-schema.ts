/**
 * The `agent` section of the config file: the host agent's collectors, intervals, timeouts and
 * buffer. Composed into config/schema.ts (the one description of the file); every default is here.
 */
import { z } from 'zod';
import { byteSize, duration } from '../../config/duration.js';

/** Shorter intervals would make the agent itself the host's main load. */
const MIN_INTERVAL_MS = 100;

const period = duration.refine((ms) => ms >= MIN_INTERVAL_MS, `at least ${MIN_INTERVAL_MS}ms`);

const WILDCARDS = '`*` matches any characters, `?` one';

/** An include list (empty: everything) or an exclude list (empty: nothing), with its default. */
const includeList = (what: string) =>
  z.array(z.string().min(1)).default([]).describe(`${what} to report; ${WILDCARDS}. Empty: all.`);
const excludeList = (what: string, defaults: string[] = []) =>
  z.array(z.string().min(1)).default(defaults).describe(`${what} to skip; ${WILDCARDS}.`);

/** Keys every collector has: on/off, and its own interval and timeout. */
function collector(what: string) {
  return {
    enabled: z.boolean().default(true).describe(`Collect ${what}.`),
    interval: period.optional().describe('How often (default: `agent.interval`).'),
    timeout: period.optional().describe('Longest wait for one reading (default: `agent.timeout`).'),
  };
}

/**
 * Filesystems that hold no user data (kernel interfaces, memory-backed and read-only images): their
 * size says nothing about a full disk. Telegraf's disk input skips a similar list by default.
 */
const PSEUDO_FS_TYPES = [
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'devtmpfs',
  'efivarfs',
  'fusectl',
  'fuse.lxcfs',
  'hugetlbfs',
  'iso9660',
  'mqueue',
  'nsfs',
  'overlay',
  'proc',
  'pstore',
  'ramfs',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'squashfs',
  'sysfs',
  'tmpfs',
  'tracefs',
];

/** A source name becomes a topic level and the `host` tag value. */
const sourceName = z
  .string()
  .regex(/^[^/#+\s\\]+$/, 'one topic level: no spaces, /, #, + or backslash')
  .optional()
  .describe('Source name in topics and the `host` tag (default: the host name).');

export const agentSchema = z
  .object({
    enabled: z.boolean().default(true).describe('`busbar start` runs the host agent for this machine.'),
    name: sourceName,
    interval: period.prefault('10s').describe('How often each collector runs, unless it sets its own.'),
    timeout: period
      .prefault('5s')
      .describe('Longest wait for one reading; a late probe is counted and skipped, the others publish.'),
    buffer: duration
      .prefault('1h')
      .describe('Samples kept while the broker is unreachable, as a span of time; oldest dropped first.'),
    bufferSize: byteSize
      .prefault('32MiB')
      .describe('Memory the buffer may use at most; beyond it the oldest samples are dropped too.'),
    inventoryInterval: period
      .prefault('1h')
      .describe('How often the inventory is read again; it is republished only when it changed.'),
    system: z
      .object(collector('load averages, uptime, process and user counts'))
      .strict()
      .prefault({})
      .describe('`system`: load averages, uptime, CPUs, login sessions, processes.'),
    cpu: z
      .object({
        ...collector('CPU usage per state'),
        perCore: z.boolean().default(false).describe('Also one line per core (tag `cpu=cpu0`, ...).'),
      })
      .strict()
      .prefault({})
      .describe('`cpu`: percent of time in each state, for all cores (and each core).'),
    mem: z
      .object(collector('memory and swap usage'))
      .strict()
      .prefault({})
      .describe('`mem` and `swap`: sizes, use and percentages.'),
    disk: z
      .object({
        ...collector('usage per mount point'),
        include: includeList('Mount points'),
        exclude: excludeList('Mount points'),
        ignoreFsTypes: z
          .array(z.string().min(1))
          .default(PSEUDO_FS_TYPES)
          .describe('Filesystem types never reported (pseudo and memory filesystems).'),
      })
      .strict()
      .prefault({})
      .describe('`disk`: size, use and inodes per mount point.'),
    diskio: z
      .object({
        ...collector('I/O rates per block device'),
        include: includeList('Block devices (`sda`, `nvme0n1`)'),
        exclude: excludeList('Block devices', ['loop*', 'ram*']),
      })
      .strict()
      .prefault({})
      .describe('`diskio`: reads, writes and bytes per second per block device.'),
    net: z
      .object({
        ...collector('traffic rates per network interface'),
        include: includeList('Interfaces'),
        exclude: excludeList('Interfaces', ['lo']),
      })
      .strict()
      .prefault({})
      .describe('`net`: bytes, packets, errors and drops per second per interface.'),
    temp: z
      .object(collector('temperatures, where the host has sensors'))
      .strict()
      .prefault({})
      .describe('`temp`: one line per sensor, none on a host without sensors.'),
    processes: z
      .object({
        ...collector('process counts and the top processes'),
        top: z
          .number()
          .int()
          .min(0)
          .max(100)
          .default(10)
          .describe('Processes reported by CPU and by memory each (0: counts only).'),
        groupBy: z
          .enum(['name', 'process'])
          .default('name')
          .describe(
            '`name`: processes summed by command name (tag `process_name`); `process`: one series per process, anonymised by a hash of pid and start time (tag `process_id`).',
          ),
        expireAfter: period
          .prefault('10m')
          .describe(
            'A name (or process) out of the top lists this long is no longer reported and frees its place for another; at most 2 × `top` are reported, the rest summed as `_other`.',
          ),
        names: z
          .boolean()
          .default(false)
          .describe(
            'With `groupBy: process`, add the command name (tag `process_name`); off, processes are anonymous.',
          ),
      })
      .strict()
      .prefault({})
      .describe('`processes` (counts by state) and `procstat` (the top processes).'),
  })
  .strict();

export type AgentConfig = z.output<typeof agentSchema>;
export type CollectorName = 'system' | 'cpu' | 'mem' | 'disk' | 'diskio' | 'net' | 'temp' | 'processes';
export const COLLECTOR_NAMES: readonly CollectorName[] = [
  'system',
  'cpu',
  'mem',
  'disk',
  'diskio',
  'net',
  'temp',
  'processes',
];
