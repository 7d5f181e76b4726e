#!/usr/bin/env node
// Makes sure the real servers the integration tests start are installed. As root (CI, containers)
// it installs what is missing with apt-get, once; otherwise it stops and prints the one command.
// The list is the single place that says which Debian package each test server comes from.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const servers = [
  { binary: '/usr/sbin/mosquitto', pkg: 'mosquitto' },
  { binary: '/usr/bin/redis-server', pkg: 'redis-server' },
  { binary: '/usr/bin/openssl', pkg: 'openssl' },
  { binary: '/usr/bin/victoria-metrics', pkg: 'victoria-metrics' },
  { binary: '/usr/bin/influxd', pkg: 'influxdb' },
  { binary: '/usr/sbin/snmpd', pkg: 'snmpd' },
  { binary: '/usr/bin/snmpsimd', pkg: 'snmpsim' },
  // snmptrap sends real traps to the SNMP bridge's trap receiver (test/bridges/snmp/traps.test.ts).
  { binary: '/usr/bin/snmptrap', pkg: 'snmp' },
  // promtool checks /metrics (test/web/health-metrics.test.ts); Debian ships it with the server.
  { binary: '/usr/bin/promtool', pkg: 'prometheus' },
  // Headless browser for the web pages' tests (test/web/browser.test.ts), driven by playwright-core.
  { binary: '/usr/bin/chromium', pkg: 'chromium' },
  // The font charts are drawn with (notifiers/charts: resvg has no font of its own).
  { binary: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', pkg: 'fonts-dejavu-core' },
];

const missing = servers.filter((server) => !existsSync(server.binary)).map((server) => server.pkg);
if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
if (process.getuid?.() !== 0) {
  console.error(
    `Test servers missing: ${missing.join(', ')}. Install them once with:\n  sudo sh -c '${command}'`,
  );
  process.exit(1);
}
console.error(`Installing test servers: ${missing.join(', ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
  stdio: 'inherit',
  env,
});
// Debian starts the freshly installed daemons; the tests start their own on free ports.
for (const service of ['mosquitto', 'redis-server', 'victoria-metrics', 'influxdb', 'snmpd', 'prometheus']) {
  if (missing.includes(service)) {
    try {
      execFileSync('service', [service, 'stop'], { stdio: 'ignore' });
    } catch {
      // No init system in a container: the daemon was never started, nothing to stop.
    }
  }
}
const still = servers.filter((server) => !existsSync(server.binary)).map((server) => server.pkg);
if (still.length > 0) {
  console.error(`Still missing after apt-get: ${still.join(', ')}`);
  process.exit(1);
}
