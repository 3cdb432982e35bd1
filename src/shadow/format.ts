// Number formatting for the shadow report's sentences. Pure, locale-free (same text everywhere).

/** 12400 -> "12,400". */
export function groupDigits(n: number): string {
  const [int, frac] = String(n).split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** part/whole as a percentage with one decimal, rounded DOWN so 99.46% never reads "99.5%". */
export function percentDown(part: number, whole: number): string {
  if (whole <= 0) return '0.0%';
  const tenths = Math.floor((part * 1000) / whole);
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`;
}
