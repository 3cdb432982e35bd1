// The element names of HTML (WHATWG, plus the obsolete ones legacy pages still carry) and of the
// SVG and MathML that pages embed, so that
// a bare word in `compare.ignore` that names none of them (`createdAt`, a JSON field written
// without its `$.`) is refused rather than taken as a CSS type selector that never matches.

const NAMES = new Set(`a abbr acronym address area article aside audio b base basefont bdi bdo big blink blockquote body br
button canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt em embed
fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img
input ins kbd label legend li link main map mark marquee menu meta meter nav nobr noframes noscript object ol optgroup
option output p param picture plaintext pre progress q rp rt ruby s samp script search section select slot small source
span strike strong style sub summary sup svg math table tbody td template textarea tfoot th thead time title tr track tt
u ul var video wbr xmp
circle clippath defs desc ellipse feblend fecolormatrix fegaussianblur filter foreignobject g image line
lineargradient marker mask path pattern polygon polyline radialgradient rect stop symbol text textpath tspan use
mi mn mo mrow ms msqrt msub msup mtable mtd mtext mtr`.split(/\s+/));

/** A bare word (a CSS type selector and nothing else) that is no HTML element name; custom
 *  elements (with a hyphen) and `*` are element names. */
export function unknownElementName(selector: string): boolean {
  const s = selector.trim();
  return /^[A-Za-z][A-Za-z0-9_]*$/.test(s) && !NAMES.has(s.toLowerCase());
}
