// Holds the live table. A request reads `current` once and keeps that snapshot to its end;
// a reload swaps the reference atomically.

import type { RouteTable } from './table.js';

export class TableStore {
  #current: RouteTable;

  constructor(initial: RouteTable) {
    this.#current = initial;
  }

  get current(): RouteTable {
    return this.#current;
  }

  swap(next: RouteTable): RouteTable {
    const previous = this.#current;
    this.#current = next;
    return previous;
  }
}
