// The body of POST /orders, validated the same way by the monolith and the extracted orders
// service (the API's input contract did not change with the rewrite; its output did).

import type { IncomingMessage } from 'node:http';
import { readJsonBody } from './http-body.js';
import { asFields, FieldChecker } from './validate.js';

export interface NewOrder {
  readonly userId: number;
  readonly product: string;
  readonly quantity: number;
}

/** Reads and checks the body; a bad one throws the usual 400 validation_failed. */
export async function readNewOrder(req: IncomingMessage): Promise<NewOrder> {
  const checker = new FieldChecker(asFields(await readJsonBody(req)));
  const userId = checker.integer('userId', { required: true, min: 1, max: Number.MAX_SAFE_INTEGER });
  const product = checker.string('product', { required: true, max: 200 });
  const quantity = checker.integer('quantity', { required: true, min: 1, max: 1000 });
  checker.check();
  return { userId: userId!, product: product!, quantity: quantity! };
}
