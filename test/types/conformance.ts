// The shim must implement index.d.ts exactly: nothing declared is missing, nothing exported is
// undeclared, and each implementation is assignable to its declaration.
import type * as Contract from '../../index';
import * as shim from '../../lib/index';

type Api = typeof Contract;
type Shim = typeof shim;
type Missing = Exclude<keyof Api, keyof Shim>;
type Undeclared = Exclude<keyof Shim, keyof Api>;

const nothingMissing: [Missing] extends [never] ? true : Missing = true;
const nothingUndeclared: [Undeclared] extends [never] ? true : Undeclared = true;
const eachFits: { [K in keyof Api & keyof Shim]: Api[K] } = shim;
void nothingMissing;
void nothingUndeclared;
void eachFits;
