// A small typed emitter: the face of the core. Listeners that throw are logged, never propagated,
// so a broken subscriber cannot fail an ingest.
import type { Logger } from './types';

export class TypedEmitter<M> {
  private listeners = new Map<keyof M, Set<(p: never) => void>>();
  constructor(private readonly logger?: Logger) {}

  on<K extends keyof M>(name: K, cb: (payload: M[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) { set = new Set(); this.listeners.set(name, set); }
    set.add(cb as (p: never) => void);
    return () => { set!.delete(cb as (p: never) => void); };
  }

  emit<K extends keyof M>(name: K, payload: M[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const cb of set) {
      try { (cb as (p: M[K]) => void)(payload); } catch (err) {
        this.logger?.error('listener failed', { channel: String(name), err: String(err) });
      }
    }
  }
}
