// The feed's grid, shared by the Events and Messages views: an ARIA grid with one tab stop (roving
// tabindex on the rows), virtualised. Keys while a row has focus: ↑/↓ (and j/k) move, Home/End, PageUp/
// PageDown; Enter opens the row in the inspector and moves focus there (Esc there comes back to the row).
// While an event is open, the selection follows the focused row, as j/k always did.
import { useVirtualizer, type Range, type Virtualizer } from '@tanstack/react-virtual';
import { assignSlots, overscanAhead, OVERSCAN } from './row-slots';
import { paceStep, settleIn, type PaceSample } from './scroll-pace';
import { forwardRef, useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState, type ReactNode, type UIEvent } from 'react';

export const ROW_HEIGHT = 36;

export interface GridColumn {
  id: string;
  label: string;
  /** CSS grid track, e.g. `72px` or `minmax(120px, 2fr)`. */
  width: string;
  className?: string;
  /** Visible header text hidden (an icon column), still named for screen readers. */
  srOnly?: boolean;
}

export interface RowRenderProps {
  index: number;
  top: number;
  active: boolean;
  /** The React key to give the row: its slot (see `assignSlots`), not its event. */
  slot: number;
  /**
   * Rows are passing faster than anyone reads them (scroll-pace.ts): render the row light — its place,
   * selection and time only — and whole again once the scroll slows. The grid is `aria-busy` meanwhile.
   */
  light: boolean;
}

/**
 * The attributes a grid row carries: role, roving tabindex, position. Built by the row itself from three
 * primitives, so a memoised row that only moves (a new event on top, a scroll step) compares equal on
 * everything but `top`/`index` — and one whose props did not change is not rendered again at all. Clicks
 * and focus are handled once, on the row group, by `data-grid-index` (docs/benchmarks.md "UI: rows that
 * only move").
 */
export function gridRowAttrs(index: number, top: number, active: boolean) {
  return {
    role: 'row' as const,
    tabIndex: active ? 0 : -1,
    'aria-rowindex': index + 2,
    'data-grid-index': index,
    style: { transform: `translateY(${top}px)` },
  };
}

export interface FeedGridHandle {
  scrollEl(): HTMLDivElement | null;
  virtualizer(): Virtualizer<HTMLDivElement, Element> | null;
  /** Focus the grid's active row (the skip link and Esc from the inspector land here). */
  focusActive(): void;
}

interface Props {
  label: string;
  columns: GridColumn[];
  count: number;
  /** Rows there are in all (loaded or not): screen readers announce this, not the loaded count. */
  total?: number | null;
  /** Each row's key; keep it the same function while the rows are the same (useCallback on the list). */
  rowKey(index: number): string | number;
  /** Index of the row showing the open event, or -1. */
  selectedIndex: number;
  /** Whether an event is open (the selection then follows focus). */
  hasSelection: boolean;
  renderRow(p: RowRenderProps): ReactNode;
  /** Open row `index` in the inspector. */
  onOpen(index: number, opts: { focusInspector: boolean }): void;
  onNearEnd?(lastRenderedIndex: number): void;
  onScroll?(ev: UIEvent<HTMLDivElement>): void;
  footer?: ReactNode;
  testId?: string;
}

/** Focus lands in the inspector after it has rendered the newly opened event. */
export function focusInspector() {
  const go = () => {
    const el = document.querySelector<HTMLElement>('[data-testid="inspector"] [role="tab"][aria-selected="true"]')
      ?? document.querySelector<HTMLElement>('[data-testid="inspector"]');
    el?.focus();
    return el != null;
  };
  requestAnimationFrame(() => { if (!go()) setTimeout(go, 50); });
}

/** The row an event happened in (its `data-grid-index`), or -1. */
function rowIndexOf(target: EventTarget): number {
  const row = (target as HTMLElement).closest?.('[data-grid-index]');
  return row ? Number(row.getAttribute('data-grid-index')) : -1;
}

/**
 * A focused row scrolled away gives its element to another row (slots): focus leaves with it, as it did
 * when the element was removed, rather than stay on an element that now shows another event. A focused
 * row that only moved (new events on top) keeps its slot, its element and the focus.
 */
function blurRecycledRow(scrollEl: HTMLElement | null, keyOf: (index: number) => unknown, focusedKey: unknown) {
  const el = document.activeElement;
  if (el instanceof HTMLElement && el.getAttribute('role') === 'row' && scrollEl?.contains(el)
    && keyOf(rowIndexOf(el)) !== focusedKey) el.blur();
}

/**
 * Whether rows are rendered light: set by a fast scroll step (scroll-pace.ts), cleared `SETTLE_MS` after
 * the last one. Only the switch renders the grid; the steps themselves set no state. The grid is
 * `aria-busy` while they are: a light row is half of what it says, assistive technology waits for it.
 */
function useLightRows(scrollRef: React.RefObject<HTMLDivElement | null>, keyAt: (index: number) => unknown, onScroll?: (ev: UIEvent<HTMLDivElement>) => void) {
  const [on, setOn] = useState(false);
  const sample = useRef<PaceSample | null>(null);
  const lastFastAt = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);
  const settle = useCallback(() => {
    const wait = settleIn(lastFastAt.current, performance.now());
    timer.current = wait > 0 ? setTimeout(settle, wait) : null;
    if (wait === 0) setOn(false);
  }, []);
  const handler = (ev: UIEvent<HTMLDivElement>) => {
    onScroll?.(ev);
    const el = scrollRef.current;
    if (el) {
      const step = paceStep(sample.current, ev.timeStamp, Math.floor(el.scrollTop / ROW_HEIGHT), keyAt);
      sample.current = step.sample;
      if (step.fast) {
        lastFastAt.current = performance.now();
        if (!timer.current) timer.current = setTimeout(settle, settleIn(lastFastAt.current, performance.now()));
        if (!on) setOn(true);
      }
    }
  };
  return { on, onScroll: handler };
}

export const FeedGrid = forwardRef<FeedGridHandle, Props>(function FeedGrid(p, ref) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const pendingFocus = useRef(false);
  const virtualizerRef = useRef<Virtualizer<HTMLDivElement, Element> | null>(null);
  const slotsRef = useRef(new Map<unknown, number>());
  /** The key of the row that last took focus (blurRecycledRow). */
  const focusedKey = useRef<unknown>(null);
  const light = useLightRows(scrollRef, p.rowKey, p.onScroll);
  const virtualizer = useVirtualizer({
    count: p.count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
    // Stable while the rows are (the caller memoises it on its list): a new function here makes the
    // virtualiser recompute every row's position on every scroll step.
    getItemKey: p.rowKey,
    rangeExtractor: useCallback((r: Range) => overscanAhead(r, virtualizerRef.current?.scrollDirection ?? null), []),
  });
  virtualizerRef.current = virtualizer;
  const activeIndex = Math.min(active, Math.max(0, p.count - 1));

  // The active row follows the selection made elsewhere (j/k, a click in the timeline, a notification).
  useEffect(() => {
    if (p.selectedIndex >= 0) setActive(p.selectedIndex);
  }, [p.selectedIndex]);

  const focusRow = useCallback((index: number) => {
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-grid-index="${index}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      pendingFocus.current = false;
    } else {
      pendingFocus.current = true;
    }
  }, []);

  // Focus moves after the virtualiser has rendered the target row.
  useLayoutEffect(() => {
    if (pendingFocus.current) focusRow(activeIndex);
    blurRecycledRow(scrollRef.current, p.rowKey, focusedKey.current);
  });

  const moveTo = (index: number) => {
    if (p.count === 0) return;
    const i = Math.min(p.count - 1, Math.max(0, index));
    setActive(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
    pendingFocus.current = true;
    focusRow(i);
    if (p.hasSelection) p.onOpen(i, { focusInspector: false });
  };

  useImperativeHandle(ref, () => ({
    scrollEl: () => scrollRef.current,
    virtualizer: () => virtualizer,
    focusActive() {
      if (p.count === 0) {
        scrollRef.current?.focus();
        return;
      }
      // The selection wins over the active row: `active` follows it in an effect, which may not have run yet
      // when keys come fast (k then Esc) — focus would land on the row selected before.
      const target = p.selectedIndex >= 0 ? Math.min(p.selectedIndex, p.count - 1) : activeIndex;
      if (target !== active) setActive(target);
      virtualizer.scrollToIndex(target, { align: 'auto' });
      pendingFocus.current = true;
      focusRow(target);
    },
  }));

  const onKeyDown = (ev: React.KeyboardEvent<HTMLDivElement>) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const target = ev.target as HTMLElement;
    if (target.getAttribute('role') !== 'row') return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    let handled = true;
    switch (ev.key) {
      case 'ArrowDown': case 'j': moveTo(activeIndex + 1); break;
      case 'ArrowUp': case 'k': moveTo(activeIndex - 1); break;
      case 'PageDown': moveTo(activeIndex + page); break;
      case 'PageUp': moveTo(activeIndex - page); break;
      case 'Home': moveTo(0); break;
      case 'End': moveTo(p.count - 1); break;
      case 'Enter': case ' ': p.onOpen(activeIndex, { focusInspector: true }); break;
      default: handled = false;
    }
    if (handled) {
      ev.preventDefault();
      // The window's own shortcuts (j/k move the selection) must not act a second time.
      ev.stopPropagation();
    }
  };

  const items = virtualizer.getVirtualItems();
  const shown = items.filter((vi) => vi.index < p.count);
  // Assigned during render, from the last assignment: the same keys give the same slots, so a render
  // run twice (StrictMode) or thrown away only changes which element a row reuses, never what it shows.
  const { slots, next: nextSlots } = assignSlots<unknown>(slotsRef.current, shown.map((vi) => vi.key));
  slotsRef.current = nextSlots;
  const lastIndex = items.length ? items[items.length - 1].index : -1;
  const { onNearEnd } = p;
  useEffect(() => {
    if (lastIndex >= 0) onNearEnd?.(lastIndex);
  }, [lastIndex, onNearEnd]);

  const onRowFocus = (ev: React.FocusEvent) => {
    const i = rowIndexOf(ev.target);
    if (i < 0) return;
    focusedKey.current = p.rowKey(i);
    setActive(i);
  };
  const onRowClick = (ev: React.MouseEvent) => {
    const i = rowIndexOf(ev.target);
    if (i < 0) return;
    setActive(i);
    p.onOpen(i, { focusInspector: false });
  };

  const template = p.columns.map((c) => c.width).join(' ');
  return (
    <div
      className="feed-grid"
      role="grid"
      aria-label={p.label}
      aria-rowcount={Math.max(p.count, p.total ?? 0) + 1}
      aria-colcount={p.columns.length}
      aria-busy={light.on || undefined}
      data-testid={p.testId}
      style={{ ['--feed-cols' as string]: template }}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className="feed-header-group">
        <div className="feed-header" role="row" aria-rowindex={1}>
          {p.columns.map((c) => (
            <span key={c.id} role="columnheader" className={`cell ${c.className ?? ''}`}>
              {c.srOnly ? <span className="sr-only">{c.label}</span> : c.label}
            </span>
          ))}
        </div>
      </div>
      <div className="feed-scroll" ref={scrollRef} onScroll={light.onScroll} data-testid="feed-scroll">
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }} onClick={onRowClick} onFocus={onRowFocus}>
          {shown.map((vi, n) => p.renderRow({ index: vi.index, top: vi.start, active: vi.index === activeIndex, slot: slots[n], light: light.on }))}
        </div>
        {p.footer}
      </div>
    </div>
  );
});
