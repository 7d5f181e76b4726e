/**
 * Building DOM without HTML strings: text goes in as text (`textContent`), so a client id or a
 * retained payload can never become markup.
 */

type Child = Node | string | number | null | undefined;

export type Attributes = Record<string, string | number | boolean | undefined>;

/** `<tag attributes>children</tag>`; `class` sets className, `data-*` and others set attributes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
  return element;
}

/** The element with this id; throws when the page lacks it (a page and its script disagree). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element as T;
}

/** Replaces every child of `parent`. */
export function fill(parent: Element, children: readonly Node[]): void {
  parent.replaceChildren(...children);
}
