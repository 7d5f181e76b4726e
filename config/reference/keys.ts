/**
 * Every configuration key as one flat, ordered list, read from the editor JSON Schema (itself derived
 * from the zod schemas). docs/configuration.md and `busbar config sample` are both rendered from this
 * list, so a key's type, default and description are stated once: in its zod schema.
 */
import { buildJsonSchema } from '../json-schema.js';
import { DURATION_PATTERN, SIZE_PATTERN } from '../duration.js';

type Node = Record<string, unknown>;

export interface ConfigKey {
  /** Dotted path: `broker.listeners[].port`; `[]` is an item of a list, `*` an entry of a map. */
  path: string;
  type: string;
  /** Defaults as written in the file, one per variant of the parent when they differ (`tcp` → 1883). */
  defaults: { variant?: string; value: unknown }[];
  description?: string;
  required: boolean;
  /** Set when the key is required only in some variants of its parent: `kind: nodata`. */
  requiredWith?: string;
  /** The key of the parent that tells its variants apart (`type`, `kind`); `variant`s are its values. */
  discriminator?: string;
  /** Set when the key exists only in some variants of its parent: `type: tls, ws`. */
  only?: string;
  /** A recursive shape: this key takes the keys of the one at this path (`notifiers.routes[]`). */
  sameAs?: string;
  /** The key's own schema (resolved), for renderers that need more than the fields above. */
  schema: Node;
}

interface Appearance {
  node: Node;
  variant?: string;
  required: boolean;
}

interface Found {
  appearances: Appearance[];
  /** The discriminator values of the parent's variants, when it has some. */
  variants: string[];
  discriminator?: string;
  /** For a discriminator: each value with its variant's description. */
  variantsText?: string;
}

interface Walk {
  defs: Record<string, Node>;
  /** `$defs` name → the path where it was first expanded; later uses point there. */
  expanded: Map<string, string>;
  found: Map<string, Found>;
  sameAs: Map<string, string>;
}

/** The keys of the whole configuration, in schema order. */
export function configKeys(schema: Node = buildJsonSchema()): ConfigKey[] {
  const walk: Walk = {
    defs: (schema.$defs ?? {}) as Record<string, Node>,
    expanded: new Map(),
    found: new Map(),
    sameAs: new Map(),
  };
  collect(walk, schema, '');
  return [...walk.found].map(([path, entry]) => toKey(walk, path, entry));
}

/** A `$ref` replaced by its definition, keeping the keys written beside it (description, default). */
function resolve(walk: Pick<Walk, 'defs'>, node: Node): { node: Node; ref?: string } {
  const ref = typeof node.$ref === 'string' ? node.$ref.split('/').pop()! : undefined;
  if (ref === undefined) return { node };
  const { $ref: _ignored, ...beside } = node;
  return { node: { ...walk.defs[ref], ...beside }, ref };
}

/** The object alternatives of a union, or the node itself. */
function variantsOf(node: Node): Node[] {
  const union = (node.anyOf ?? node.oneOf) as Node[] | undefined;
  return union ?? [node];
}

/** The property whose value is a different constant in every variant (`type` of a listener). */
function discriminatorOf(variants: Node[]): string | undefined {
  if (variants.length < 2) return undefined;
  const first = (variants[0]!.properties ?? {}) as Record<string, Node>;
  return Object.keys(first).find((name) =>
    variants.every((variant) => {
      const property = ((variant.properties ?? {}) as Record<string, Node>)[name];
      return property !== undefined && property.const !== undefined;
    }),
  );
}

function collect(walk: Walk, raw: Node, prefix: string): void {
  const { node, ref } = resolve(walk, raw);
  // A def without keys of its own (any JSON value) is a leaf, not a shape to document.
  if (ref !== undefined && !node.properties) return;
  if (ref !== undefined) {
    const first = walk.expanded.get(ref);
    if (first !== undefined) {
      walk.sameAs.set(prefix, first);
      return;
    }
    walk.expanded.set(ref, prefix);
  }
  const variants = variantsOf(node).map((variant) => resolve(walk, variant).node);
  const discriminator = discriminatorOf(variants);
  for (const variant of variants) {
    const properties = (variant.properties ?? {}) as Record<string, Node>;
    const required = new Set((variant.required ?? []) as string[]);
    const tag = discriminator === undefined ? undefined : String(properties[discriminator]!.const);
    for (const [name, child] of Object.entries(properties)) {
      const path = prefix ? `${prefix}.${name}` : name;
      let entry = walk.found.get(path);
      if (entry === undefined) {
        entry = { appearances: [], variants: [], discriminator };
        walk.found.set(path, entry);
      }
      if (tag !== undefined)
        entry.variants = variants.map((v) => String(propertyOf(v, discriminator!).const));
      if (name === discriminator) entry.variantsText = describeVariants(variants, name);
      entry.appearances.push({ node: resolve(walk, child).node, variant: tag, required: required.has(name) });
      collect(walk, child, path);
    }
    if (variant.items && typeof variant.items === 'object')
      collect(walk, variant.items as Node, `${prefix}[]`);
    const additional = variant.additionalProperties;
    if (additional && typeof additional === 'object') collect(walk, additional as Node, `${prefix}.*`);
  }
}

/** "`tcp`: Plain MQTT over TCP. `tls`: MQTT over TLS." when every variant says what it is. */
function describeVariants(variants: Node[], discriminator: string): string | undefined {
  if (!variants.every((variant) => typeof variant.description === 'string')) return undefined;
  return variants
    .map(
      (variant) => `\`${String(propertyOf(variant, discriminator).const)}\`: ${String(variant.description)}`,
    )
    .join(' ');
}

function propertyOf(node: Node, name: string): Node {
  return ((node.properties ?? {}) as Record<string, Node>)[name]!;
}

function toKey(walk: Walk, path: string, entry: Found): ConfigKey {
  const { appearances } = entry;
  const first = appearances[0]!;
  const isDiscriminator = entry.discriminator !== undefined && path.endsWith(`.${entry.discriminator}`);
  const types = [...new Set(appearances.map((a) => typeText(walk, a.node)))];
  const defaults = appearances
    .filter((a) => 'default' in a.node)
    .map((a) => ({ variant: a.variant, value: a.node.default }));
  const sameDefaults = defaults.every((d) => JSON.stringify(d.value) === JSON.stringify(defaults[0]!.value));
  const tags = appearances.map((a) => a.variant).filter((tag): tag is string => tag !== undefined);
  const partial = tags.length > 0 && tags.length < entry.variants.length;
  const sameAs = walk.sameAs.get(`${path}[]`) ?? walk.sameAs.get(path);
  return {
    path,
    type: isDiscriminator ? types.join(' | ') : types.join(' or '),
    defaults:
      sameDefaults && defaults.length === appearances.length
        ? defaults.slice(0, 1).map(({ value }) => ({ value }))
        : defaults,
    description: describe(entry),
    required: appearances.every((a) => a.required),
    requiredWith: variantsWhere(entry, (a) => a.required),
    discriminator: entry.discriminator,
    only: partial ? `${entry.discriminator}: ${tags.join(', ')}` : undefined,
    sameAs: sameAs === undefined ? undefined : sameAs || '(the whole file)',
    schema: first.node,
  };
}

/** `kind: nodata` when only the variants named hold `test` (none or all of them: undefined). */
function variantsWhere(entry: Found, test: (appearance: Appearance) => boolean): string | undefined {
  const tags = entry.appearances.filter(test).map((a) => a.variant);
  if (tags.length === 0 || tags.length === entry.appearances.length || tags.includes(undefined))
    return undefined;
  return `${entry.discriminator}: ${tags.join(', ')}`;
}

/** The key's description; when variants describe it differently, each with the variants it is for. */
function describe(entry: Found): string | undefined {
  const byText = new Map<string, (string | undefined)[]>();
  for (const { node, variant } of entry.appearances) {
    if (typeof node.description !== 'string') continue;
    byText.set(node.description, [...(byText.get(node.description) ?? []), variant]);
  }
  if (byText.size === 0) return entry.variantsText;
  if (byText.size === 1) return [...byText.keys()][0];
  return [...byText]
    .map(([text, tags]) => `For ${entry.discriminator} ${tags.join(', ')}: ${text}`)
    .join(' ');
}

/** A short type name: `duration`, `size`, `array of string`, `map of object`, `tcp | tls`. */
function typeText(walk: Pick<Walk, 'defs'>, raw: Node): string {
  if (typeof raw.$ref === 'string') {
    const { node } = resolve(walk, raw);
    return node.properties ? 'object' : 'any';
  }
  const node = raw;
  if (Array.isArray(node.enum)) return node.enum.map(String).join(' | ');
  if (node.const !== undefined) return String(node.const);
  const union = (node.anyOf ?? node.oneOf) as Node[] | undefined;
  if (union) {
    const patterns = union.map((variant) => variant.pattern);
    if (patterns.includes(DURATION_PATTERN)) return 'duration';
    if (patterns.includes(SIZE_PATTERN)) return 'size';
    const names = union.map((variant) => (variant.properties ? 'object' : typeText(walk, variant)));
    return [...new Set(names)].join(' or ');
  }
  if (node.type === 'array') {
    const items = node.items as Node | undefined;
    return items ? `array of ${typeText(walk, items)}` : 'array';
  }
  if (node.type === 'object' && !node.properties && node.additionalProperties) {
    const additional = node.additionalProperties;
    return typeof additional === 'object' ? `map of ${typeText(walk, additional as Node)}` : 'map';
  }
  if (Array.isArray(node.type)) return node.type.join(' or ');
  return typeof node.type === 'string' ? node.type : 'any';
}
