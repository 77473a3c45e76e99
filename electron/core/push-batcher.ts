// Coalesces items pushed in quick succession into one delivery: a burst of webhooks becomes one
// `events:appended` per tick (or per `delayMs`), not one message per event.
export interface PushBatcher<T> {
  push(items: T[]): void;
  flush(): void;
}

export function createPushBatcher<T>(deliver: (items: T[]) => void, delayMs: number): PushBatcher<T> {
  let buf: T[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer) { clearTimeout(timer); timer = null; }
    if (buf.length === 0) return;
    const out = buf;
    buf = [];
    deliver(out);
  };
  return {
    push(items) {
      if (items.length === 0) return;
      for (const i of items) buf.push(i);
      if (!timer) timer = setTimeout(flush, delayMs);
    },
    flush,
  };
}
