/**
 * The starter busbar.yaml that `busbar init` writes: a few embedded defaults written out (their values
 * read from the schemas, never restated here) and commented pointers to the first things one sets up.
 */
import { stringify } from 'yaml';
import { configKeys } from '../config/reference/keys.js';

/** The defaults written out, so the file shows where busbar listens and keeps its data. */
const WRITTEN_DEFAULTS = [
  'baseTopic',
  'broker.listeners',
  'sinks.history.enabled',
  'sinks.history.path',
  'web.host',
  'web.port',
  'alarms.enabled',
];

const HEADER = `## busbar starter configuration, written by \`busbar init\`.
## Check it with \`busbar check-config -c FILE\`, run it with \`busbar start -c FILE\`.
## Every key with its default: docs/configuration.md, or \`busbar config sample [COMPONENT]\`.
`;

// Indented to sit inside \`broker:\`; uncommented, they validate (a test uncomments them).
const BROKER_POINTERS = `  ## Users: \`busbar passwd -c passwd alice\` creates the file (a scrypt hash, never the password);
  ## \`busbar passwd alice\` instead prints an entry for \`users:\`.
  # passwordFile: passwd
  ## A device may publish only below its own topic, and read busbar's topics; anything else is denied.
  # acl:
  #   - { user: alice, topic: sensors/%u/#, access: publish }
  #   - { user: '*', topic: busbar/#, access: subscribe }
`;

const NOTIFIER_POINTERS = `## An email alarm: the alarms (built-in host rules and yours under alarms.rules) are grouped onto
## <baseTopic>/notify/<group>; this route mails them. The SMTP password comes from the environment.
# notifiers:
#   enabled: true
#   services:
#     email:
#       ops: { host: smtp.example.org, username: busbar, password: '\${SMTP_PASSWORD}', from: busbar@example.org, to: [ops@example.org] }
#   routes:
#     - { name: mail, topic: busbar/notify/#, targets: ['email:ops'] }
`;

/** Sets `value` at a dotted path of `target`, creating the objects on the way. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const names = path.split('.');
  let object = target;
  for (const name of names.slice(0, -1)) object = (object[name] ??= {}) as Record<string, unknown>;
  object[names.at(-1)!] = value;
}

export function starterConfig(): string {
  const keys = new Map(configKeys().map((key) => [key.path, key]));
  const written: Record<string, unknown> = {};
  for (const path of WRITTEN_DEFAULTS) {
    const value = keys.get(path)?.defaults[0]?.value;
    // A key renamed or without a default is left out, not invented; a test checks every one is written.
    if (value !== undefined) setPath(written, path, value);
  }
  const sections = Object.entries(written).map(([name, value]) => {
    const text = stringify({ [name]: value }, { lineWidth: 0, flowCollectionPadding: true });
    return name === 'broker' ? `${text}${BROKER_POINTERS}` : text;
  });
  return [HEADER, ...sections, NOTIFIER_POINTERS].join('\n');
}

export { WRITTEN_DEFAULTS };
