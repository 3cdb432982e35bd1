// An error rate in a halt's reason, written so that it reads as above the limit it broke: three
// decimals, or as many more (up to six) as it takes. 26 errors in 517 requests against
// maxErrorRate 0.05 read "error rate 0.050 ... exceeds maxErrorRate 0.05"; now "0.0503". (Pure.)

export function rateAbove(rate: number, max: number): string {
  let digits = 3;
  while (digits < 6 && Number(rate.toFixed(digits)) <= max) digits++;
  return rate.toFixed(digits);
}
