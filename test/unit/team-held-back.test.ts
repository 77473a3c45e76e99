// The held-back watch (electron/core/team/held-back.ts) over a scripted horizonHolder and clock: it says
// nothing while rows do not wait or have waited less than the threshold, warns once when they have, follows
// the holder, clears when the copy moves, drops a look that started before the copy moved, and asks the
// database at most every quarter of the threshold. And the words (shared/team-held-back.ts) for a holder it
// cannot see and for a prepared transaction left behind.
import { describe, expect, it } from 'vitest';
import type { TeamHeldBack, TeamHorizonHolder } from '../../shared/ipc';
import { describeHeldBack } from '../../shared/team-held-back';
import { createHeldBackWatch } from '../../electron/core/team/held-back';
import type { Logger } from '../../electron/core/types';

const psql: TeamHorizonHolder = { pid: 4242, user: 'alice', application: 'psql', database: 'hookscope', client: '10.0.0.5', state: 'idle in transaction', xactStart: 0, hidden: false, prepared: null };

function setup(afterMs = 1000) {
  let t = 0;
  let answer: { waiting: number; holder: TeamHorizonHolder | null } = { waiting: 0, holder: null };
  const asked: number[] = [];
  let release: (() => void) | null = null;
  let hold = false;
  const lines: string[] = [];
  const logger: Logger = { debug() {}, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error() {} };
  const changes: (TeamHeldBack | null)[] = [];
  const watch = createHeldBackWatch({
    log: {
      horizonHolder: async (afterId) => {
        asked.push(afterId);
        const a = { horizon: 7, ...answer };
        if (hold) await new Promise<void>((r) => { release = r; });
        return a;
      },
    },
    mirrored: () => 10, logger, afterMs, now: () => t, onChange: (hb) => changes.push(hb),
  });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return {
    watch, lines, changes, asked, settle,
    at: (ms: number) => { t = ms; },
    answer: (a: typeof answer) => { answer = a; },
    holdNext: () => { hold = true; },
    releaseHeld: () => { hold = false; release?.(); },
  };
}

describe('held-back watch', () => {
  it('nothing while no row waits, or rows have waited less than the threshold; once past it, one warning naming the holder, twice round', async () => {
    const s = setup(1000);
    for (let round = 1; round <= 2; round++) {
      const base = round * 100_000;
      s.answer({ waiting: 0, holder: psql });
      s.at(base); s.watch.idle(); await s.settle();
      expect(s.watch.current()).toBeNull();
      s.answer({ waiting: 2, holder: psql });
      s.at(base + 300); s.watch.idle(); await s.settle();
      s.at(base + 900); s.watch.idle(); await s.settle();
      expect(s.watch.current()).toBeNull();
      s.at(base + 1400); s.watch.idle(); await s.settle();
      expect(s.watch.current()).toMatchObject({ since: base + 300, waiting: 2, holder: { pid: 4242 } });
      s.answer({ waiting: 5, holder: psql });
      s.at(base + 1700); s.watch.idle(); await s.settle();
      expect(s.changes.at(-1)).toMatchObject({ waiting: 5 });
      expect(s.lines.filter((l) => l.startsWith('warn'))).toHaveLength(round);
      expect(s.lines.at(-1)).toContain('pid 4242');
      s.watch.moved();
      expect(s.watch.current()).toBeNull();
      expect(s.changes.at(-1)).toBeNull();
      expect(s.lines.filter((l) => l.startsWith('info'))).toHaveLength(round);
    }
  });

  it('asks at most every quarter of the threshold, one look at a time, from the mirrored id', async () => {
    const s = setup(1000);
    s.answer({ waiting: 1, holder: psql });
    s.at(0); s.watch.idle(); s.watch.idle(); await s.settle();
    s.at(100); s.watch.idle(); await s.settle();
    s.at(249); s.watch.idle(); await s.settle();
    expect(s.asked).toEqual([10]);
    s.at(250); s.watch.idle(); await s.settle();
    expect(s.asked).toEqual([10, 10]);
  });

  it('a look that started before the copy moved is dropped', async () => {
    const s = setup(1000);
    s.answer({ waiting: 1, holder: psql });
    s.at(0); s.watch.idle(); await s.settle();
    s.holdNext();
    s.at(2000); s.watch.idle(); await s.settle();
    s.watch.moved();
    s.releaseHeld(); await s.settle(); await s.settle();
    // Its rows were taken: the waiting clock starts again from the next look, not from the stale one.
    s.at(3100); s.watch.idle(); await s.settle();
    expect(s.watch.current()).toBeNull();
    s.at(4200); s.watch.idle(); await s.settle();
    expect(s.watch.current()).toMatchObject({ since: 3100 });
    expect(s.lines.filter((l) => l.startsWith('warn'))).toHaveLength(1);
  });
});

describe('held-back words', () => {
  it('a holder it cannot see: says where to look; a prepared transaction: how to finish it; never hidden details as if known', () => {
    const none = describeHeldBack({ since: 0, waiting: 1, holder: null }, 180_000);
    expect(none.title).toContain('3 min');
    expect(none.detail).toContain('1 webhook waits');
    expect(none.detail).toContain('pg_stat_activity');
    expect(none.detail).toMatch(/still accepted and stored/);
    const prepared = describeHeldBack({ since: 0, waiting: 4, holder: { ...psql, pid: null, client: null, state: null, application: null, prepared: 'tx-7' } }, 20_000);
    expect(prepared.detail).toContain('"tx-7"');
    expect(prepared.detail).toContain('COMMIT PREPARED');
    const seen = describeHeldBack({ since: 0, waiting: 3, holder: psql }, 180_000);
    expect(seen.detail).toMatch(/^A transaction open for 3 min from 10\.0\.0\.5 \(psql, pid 4242, role alice, database hookscope\), idle in transaction holds back/);
    expect(seen.detail).toContain('pg_terminate_backend(4242)');
  });
});
