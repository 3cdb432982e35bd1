// A big server-rendered page (a product table, about 1 MB with the default rows), with text that
// makes slice boundaries interesting: character references, non-ASCII text, an emoji (a
// surrogate pair), a script with `<` in it. `footer` and `price` vary what a regression varies.

export interface BigPageOptions {
  readonly rows?: number;
  /** The footer's text (the last element of the page). */
  readonly footer?: string;
  /** Row index whose price differs (-1: none). */
  readonly changedRow?: number;
}

export const BIG_PAGE_ROWS = 2_400;

export function bigHtmlPage(o: BigPageOptions = {}): string {
  const rows = o.rows ?? BIG_PAGE_ROWS;
  const out: string[] = [
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Catalogue &amp; prices</title>',
    '<script>if (a < b && c > d) { render("</div>"); }</script></head>\n<body class="shop">\n<table id="products"><tbody>\n',
  ];
  for (let i = 0; i < rows; i++) {
    const price = ((i * 37) % 1000) / 10 + (i === o.changedRow ? 1 : 0);
    out.push(
      `  <tr class="row ${i % 2 ? 'odd' : 'even'}" data-sku="SKU-${i}">`,
      `<td class="name"><a href="/products/${i}?ref=list&amp;page=${Math.floor(i / 50)}">Caf\u00e9 cr\u00e8me n\u00b0${i} \u2014 \ud83d\ude00 &lt;new&gt;</a></td>`,
      `<td class="price">${price.toFixed(2)} &euro;</td>`,
      `<td class="stock"><span class="badge">${i % 7 === 0 ? 'low' : 'in stock'}</span><input type="number" name="qty-${i}" value="1" min="0"></td>`,
      `<td class="desc">A cup of coffee, number ${i}, brewed &amp; served with care; ${'lorem ipsum '.repeat(i % 5)}</td></tr>\n`,
    );
  }
  out.push(`</tbody></table>\n<footer id="footer"><p>${o.footer ?? 'Served by the monolith'}</p></footer>\n</body></html>\n`);
  return out.join('');
}
