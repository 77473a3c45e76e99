// The memory the receiver's bodies may hold while they arrive (docs/api.md "Trust boundary"): one budget
// for everyone and one per source. A genuine webhook arrives whole in milliseconds, so past a budget the
// uploads that have been waiting longest are the ones cut off (503 + Retry-After: a provider retries),
// and those without a provider's signature header go first — the reserve that keeps signed webhooks from
// being refused because others stall. Bookkeeping only: the request path (request-path.ts) reads the
// bytes and answers.

/** Provider webhooks are rarely larger: under pressure, bigger uploads wait (503) rather than push others out. */
export const SMALL_BODY = 64 * 1024;

/** An upload whose body is held in memory while it arrives. */
export interface Holder {
  source: string;
  /** Carries the provider's signature header for its route: a genuine webhook, or a good imitation. */
  signed: boolean;
  held: number;
  /** Answers it now (503 + Retry-After) and closes it, freeing what it held. */
  cut(): void;
}

export interface BodyBudget {
  /** True while `source` (or everyone) is at its budget: an upload announcing more than SMALL_BODY waits. */
  full(source: string): boolean;
  /** Starts counting an upload's bytes (its first chunk arrived). */
  hold(h: Holder): void;
  /**
   * Counts `bytes` more for `h`; past a budget, cuts stalled uploads (makeRoom). False when even that
   * left more than twice the global budget in memory: `h` itself must go.
   */
  take(h: Holder, bytes: number): boolean;
  /** The body is whole: no longer an upload that could be stalling (its bytes count until release). */
  settle(h: Holder): void;
  /** The request was answered or cut off: its bytes are free. */
  release(h: Holder): void;
}

export function createBodyBudget(opts: { inFlightBudget: number; perSourceBudget: () => number }): BodyBudget {
  const { inFlightBudget, perSourceBudget } = opts;
  let inFlight = 0;
  // Uploads holding memory, oldest first (a Set keeps insertion order), and what each source holds.
  const holders = new Set<Holder>();
  const sourceBytes = new Map<string, number>();

  /**
   * The upload to cut off to make room for `self`: the oldest one still in flight, preferring ones without
   * a provider's signature header. `sameSource`: only that source's (its own budget).
   */
  function victim(self: Holder, sameSource: boolean): Holder | null {
    let oldestSigned: Holder | null = null;
    for (const h of holders) {
      if (h === self || (sameSource && h.source !== self.source)) continue;
      if (!h.signed) return h;
      oldestSigned ??= h;
    }
    return oldestSigned;
  }

  /** After `self` took more memory: cut stalled uploads until the budgets hold again. */
  function makeRoom(self: Holder): boolean {
    while ((sourceBytes.get(self.source) ?? 0) > perSourceBudget()) {
      const v = victim(self, true);
      if (!v) break;
      v.cut();
    }
    while (inFlight > inFlightBudget) {
      const v = victim(self, false);
      if (!v) break;
      v.cut();
    }
    // The last guard against running out of memory: nothing else left to cut.
    return inFlight <= 2 * inFlightBudget;
  }

  return {
    full: (source) => (sourceBytes.get(source) ?? 0) >= perSourceBudget() || inFlight >= inFlightBudget,
    hold: (h) => { holders.add(h); },
    take(h, bytes) {
      h.held += bytes;
      inFlight += bytes;
      const mine = (sourceBytes.get(h.source) ?? 0) + bytes;
      sourceBytes.set(h.source, mine);
      return !(inFlight > inFlightBudget || mine > perSourceBudget()) || makeRoom(h);
    },
    settle: (h) => { holders.delete(h); },
    release(h) {
      inFlight -= h.held;
      holders.delete(h);
      const left = (sourceBytes.get(h.source) ?? 0) - h.held;
      if (left > 0) sourceBytes.set(h.source, left); else sourceBytes.delete(h.source);
      h.held = 0;
    },
  };
}
