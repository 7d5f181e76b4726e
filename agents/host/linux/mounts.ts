/**
 * /proc/self/mounts (fstab(5) format): `source target fstype options dump pass`, with space, tab,
 * newline and backslash in the fields written as octal escapes (`\040`).
 */

export interface MountEntry {
  source: string;
  mountPoint: string;
  fsType: string;
  readOnly: boolean;
}

function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Every mount, the last one winning when a mount point is mounted over (only it is visible). */
export function parseMounts(text: string): MountEntry[] {
  const byPoint = new Map<string, MountEntry>();
  for (const line of text.split('\n')) {
    const [source, target, fsType, options] = line.split(' ');
    if (!source || !target || !fsType || options === undefined) continue;
    const mountPoint = unescapeOctal(target);
    byPoint.delete(mountPoint); // keep mount order for the ones that remain
    byPoint.set(mountPoint, {
      source: unescapeOctal(source),
      mountPoint,
      fsType,
      readOnly: options.split(',').includes('ro'),
    });
  }
  return [...byPoint.values()];
}

/** `/dev/sda1` → `sda1`, `/dev/mapper/vg-root` → `mapper/vg-root`; other sources unchanged. */
export function deviceName(source: string): string {
  return source.startsWith('/dev/') ? source.slice('/dev/'.length) : source;
}
