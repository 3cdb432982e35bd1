// A route's runtime state: what must outlive a reload when the route's effective config did not
// change (the breaker, the retry budget, a halted canary, as those features land), and start
// fresh when it did. The compiler hands the previous table's state to an unchanged route.

export class RouteState {
  readonly since = new Date();
}
