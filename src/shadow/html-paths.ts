// Element paths: how an HTML difference is named. Pure, no parser needed.
//
//   html > body > form#login > input[name=csrfmiddlewaretoken] @value
//
// One step per element from the document's top: the tag name, then `#id` when the element has
// an id, else `[name=...]` when it has a name attribute (quoted when not a plain identifier),
// then `:nth-of-type(k)` when the step alone would also pick a sibling (k counts the siblings
// with the same tag, as CSS does). So the element part of a path is a CSS selector that picks exactly
// that element, and can be pasted into `compare.ignore`. After it: ` @name` for an attribute,
// ` #text` for the element's own text; nothing for the element itself (missing, extra).
//
// Normalised form (report aggregation, noise), the way `[3]` becomes `[*]` in a JSON path:
// every `:nth-of-type(k)` is dropped, so `tbody > tr:nth-of-type(3) > td:nth-of-type(2) #text`
// becomes `tbody > tr > td #text` (every row's cell: still a selector, one that picks them all).

/** What naming needs of an element. */
export interface NamedElement {
  readonly name: string;
  readonly attribs: Readonly<Record<string, string>>;
}

const IDENT = /^-?[_a-zA-Z][_a-zA-Z0-9-]*$/;
const NTH = /^:nth-of-type\(\d+\)/;

function quoted(value: string): string {
  return '"' + value.replace(/[\\"]/g, (c) => '\\' + c).replace(/\n/g, '\\a ').replace(/\r/g, '\\d ') + '"';
}

/** The step without position: `form#login`, `input[name=token]`, `div`. */
export function baseStep(el: NamedElement): string {
  const id = el.attribs['id'];
  if (id !== undefined && id !== '') return IDENT.test(id) ? `${el.name}#${id}` : `${el.name}[id=${quoted(id)}]`;
  const name = el.attribs['name'];
  if (name !== undefined && name !== '') return `${el.name}[name=${IDENT.test(name) ? name : quoted(name)}]`;
  return el.name;
}

/** The step of each element among its siblings (same order as given). */
export function stepsOf(siblings: readonly NamedElement[]): string[] {
  const bases = siblings.map(baseStep);
  const count = new Map<string, number>();
  for (const b of bases) count.set(b, (count.get(b) ?? 0) + 1);
  const tags = new Map<string, number>();
  for (const el of siblings) tags.set(el.name, (tags.get(el.name) ?? 0) + 1);
  const ofType = new Map<string, number>();
  return siblings.map((el, i) => {
    const k = (ofType.get(el.name) ?? 0) + 1;
    ofType.set(el.name, k);
    const b = bases[i]!;
    // A bare tag also picks every same-tag sibling; `#id` and `[name=]` only the ones sharing them.
    const shared = b === el.name ? tags.get(el.name)! : count.get(b)!;
    return shared > 1 ? `${b}:nth-of-type(${k})` : b;
  });
}

/** `a > b > c`, then ` @attr` or ` #text` when given. */
export function formatHtmlPath(steps: readonly string[], suffix?: string): string {
  const el = steps.join(' > ');
  if (suffix === undefined) return el;
  return el === '' ? suffix : `${el} ${suffix}`;
}

/** Drops every `:nth-of-type(k)` that is not inside a quoted attribute value. */
export function normalizeHtmlPath(path: string): string {
  if (!path.includes(':nth-of-type(')) return path;
  let out = '';
  let quote = false;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (quote) {
      out += c;
      if (c === '\\' && i + 1 < path.length) out += path[++i];
      else if (c === '"') quote = false;
      continue;
    }
    if (c === '"') quote = true;
    else if (c === ':') {
      const m = NTH.exec(path.slice(i));
      if (m) {
        i += m[0].length - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}
