// The tests' private CA: the bench makes its certificates the same way (scripts/lib/pki.ts).
export { TestPki, type IssuedCert, type LeafOptions } from '../../scripts/lib/pki.js';
