// Which element children of two paired parents are the same element: the alignment the HTML
// diff walks. Pure.
//
// Children are keyed by their step without position (`li`, `div#header`, `input[name=next]`):
// an id or a name is the element's identity. The common run at the start and at the end pair
// up; between them, a longest common subsequence of the keys pairs the rest (an inserted or
// removed element leaves its siblings paired with their own counterparts), unless that part is
// larger than MAX_ALIGN_CELLS (rows x columns), where same-key children pair by position
// (linear, for pages with thousands of siblings). Everything left is only on one side.

export const MAX_ALIGN_CELLS = 40_000;

/** One step of the alignment: both indices (a pair), or one of them (only on that side). */
export type Aligned = { readonly p: number; readonly s: number } | { readonly p: number; readonly s?: undefined } | { readonly p?: undefined; readonly s: number };

export function alignSiblings(pKeys: readonly string[], sKeys: readonly string[]): Aligned[] {
  const out: Aligned[] = [];
  let head = 0;
  while (head < pKeys.length && head < sKeys.length && pKeys[head] === sKeys[head]) out.push({ p: head, s: head++ });
  let endP = pKeys.length;
  let endS = sKeys.length;
  while (endP > head && endS > head && pKeys[endP - 1] === sKeys[endS - 1]) {
    endP--;
    endS--;
  }
  const rows = endP - head;
  const cols = endS - head;
  if (rows * cols <= MAX_ALIGN_CELLS) middleByLcs(pKeys, sKeys, head, endP, endS, out);
  else middleByPosition(pKeys, sKeys, head, endP, endS, out);
  for (let k = 0; endP + k < pKeys.length; k++) out.push({ p: endP + k, s: endS + k });
  return out;
}

function middleByPosition(pKeys: readonly string[], sKeys: readonly string[], from: number, endP: number, endS: number, out: Aligned[]): void {
  let i = from;
  let j = from;
  for (; i < endP && j < endS; i++, j++) {
    if (pKeys[i] === sKeys[j]) out.push({ p: i, s: j });
    else out.push({ p: i }, { s: j });
  }
  for (; i < endP; i++) out.push({ p: i });
  for (; j < endS; j++) out.push({ s: j });
}

function middleByLcs(pKeys: readonly string[], sKeys: readonly string[], from: number, endP: number, endS: number, out: Aligned[]): void {
  const rows = endP - from;
  const cols = endS - from;
  if (rows === 0 || cols === 0) return middleByPosition(pKeys, sKeys, from, endP, endS, out);
  // len[i][j]: LCS length of p[from+i..endP) and s[from+j..endS), row-major, (rows+1) x (cols+1).
  const w = cols + 1;
  const len = new Uint32Array((rows + 1) * w);
  for (let i = rows - 1; i >= 0; i--) {
    for (let j = cols - 1; j >= 0; j--) {
      len[i * w + j] = pKeys[from + i] === sKeys[from + j] ? len[(i + 1) * w + j + 1]! + 1 : Math.max(len[(i + 1) * w + j]!, len[i * w + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < rows && j < cols) {
    if (pKeys[from + i] === sKeys[from + j]) out.push({ p: from + i++, s: from + j++ });
    else if (len[(i + 1) * w + j]! >= len[i * w + j + 1]!) out.push({ p: from + i++ });
    else out.push({ s: from + j++ });
  }
  for (; i < rows; i++) out.push({ p: from + i });
  for (; j < cols; j++) out.push({ s: from + j });
}
