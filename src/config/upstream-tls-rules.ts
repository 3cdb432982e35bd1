// Cross-field rules of an upstream's `tls:` (rules.ts runs them): a client certificate comes with
// its key and the other way round, and `tls:` belongs to an https upstream (an http one would
// never use it: most likely the URL's scheme is the mistake).

import { toPointer } from './paths.js';
import { asObj, type Obj, type RuleIssue } from './rule-data.js';

export function checkUpstreamTls(upstreams: Obj | undefined): RuleIssue[] {
  const issues: RuleIssue[] = [];
  for (const [name, value] of Object.entries(upstreams ?? {})) {
    const tls = asObj(asObj(value)?.['tls']);
    if (tls === undefined) continue;
    const at = (...s: string[]): string => toPointer(['upstreams', name, 'tls', ...s]);
    for (const [has, lacks] of [['cert', 'key'], ['key', 'cert']] as const) {
      if (tls[has] === undefined || tls[lacks] !== undefined) continue;
      issues.push({ pointer: at(has), message: `a client ${has === 'cert' ? 'certificate needs its key' : 'key needs its certificate'}: set tls.${lacks} too`, at: 'key', involves: [at(has), at(lacks)] });
    }
    const url = asObj(value)?.['url'];
    if (typeof url === 'string' && /^http:/i.test(url)) {
      const pointer = toPointer(['upstreams', name, 'tls']);
      issues.push({ pointer, message: `tls applies to https upstreams only (url is ${url}: write https://)`, at: 'key', involves: [pointer, toPointer(['upstreams', name, 'url'])] });
    }
  }
  return issues;
}
