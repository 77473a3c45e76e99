// What the store needs from ingest/: a stored request's events computed again from its exact bytes (a
// request derived after a crash, the inspector's and the export's raw JSON), and the blank 'unknown'
// event a request whose derivation failed is kept with. The store takes them as a dependency (openStore's
// and createReads' `deriver`) instead of importing ingest/: the composition roots (core.ts, the read
// worker's entry) hand it ingest/derive-events.ts's `eventDeriver`, and lint keeps store/ from importing
// ingest/ (docs/architecture.md, "Tiers").
import type { NormalisedEvent, Provider } from '../../../shared/types';

/** A stored request as its events are computed from it: the route, the exact headers and body. */
export interface StoredRequestShape {
  method: string;
  path: string;
  query: string;
  headers: [string, string][];
  body: Buffer | null;
  provider: Provider | null;
}

export interface EventDeriver {
  /** The events of a stored request; never throws (a body that no longer parses is one 'unknown' event). */
  eventsOfStored(r: StoredRequestShape): NormalisedEvent[];
  /** An 'unknown' event with every field empty but `over`. */
  blankEvent(over: Partial<NormalisedEvent>): NormalisedEvent;
}
