// The words for a team server's live copy held back by a long transaction (TeamStatus.heldBack): one
// title and one explanation with what to do, shared by the setup doctor, the log line and the UI's banner
// so they say the same thing. docs/architecture.md "Team mode" says why a transaction holds it back.
import type { TeamHeldBack, TeamHorizonHolder } from './ipc';

function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} days`;
}

/** "10.0.0.5 (psql, pid 1234)", "a local connection (pid 1234, role app)"… */
function who(h: TeamHorizonHolder): string {
  const tags = [h.application ? h.application : null, h.pid != null ? `pid ${h.pid}` : null, h.user ? `role ${h.user}` : null,
    h.database ? `database ${h.database}` : null].filter(Boolean).join(', ');
  const where = h.client ? `from ${h.client}` : h.hidden ? '' : 'from a local connection';
  return [where, tags ? `(${tags})` : ''].filter(Boolean).join(' ');
}

export function describeHeldBack(hb: TeamHeldBack, now: number): { title: string; detail: string } {
  const waited = span(now - hb.since);
  const n = hb.waiting === 1 ? '1 webhook waits' : `${hb.waiting} webhooks wait`;
  const still = 'Webhooks are still accepted and stored (answered 200); they appear here, in order, as soon as it ends.';
  const h = hb.holder;
  const title = `The team's live copy is held back (${waited})`;
  if (!h) {
    return {
      title,
      detail: `${n} in the shared database behind a transaction still running on its PostgreSQL server, which Hookscope cannot see. Look for a session left open after a write (SELECT pid, state, xact_start FROM pg_stat_activity WHERE backend_xid IS NOT NULL) and commit or close it. ${still}`,
    };
  }
  if (h.prepared != null) {
    return {
      title,
      detail: `A prepared transaction "${h.prepared}"${h.user ? ` (role ${h.user}${h.database ? `, database ${h.database}` : ''})` : ''}${h.xactStart != null ? `, prepared ${span(now - h.xactStart)} ago,` : ''} holds back the team's live copy: ${n}. Finish it (COMMIT PREPARED or ROLLBACK PREPARED). ${still}`,
    };
  }
  const open = h.xactStart != null ? `open for ${span(now - h.xactStart)}` : 'still open';
  const state = h.state ? `, ${h.state}` : '';
  const hidden = h.hidden
    ? ' Its start, state and address are hidden from Hookscope\'s database role: grant it pg_read_all_stats to see them.'
    : '';
  const end = h.pid != null ? `commit or close it (or end it: SELECT pg_terminate_backend(${h.pid}))` : 'commit or close it';
  return {
    title,
    detail: `A transaction ${open} ${who(h)}${state} holds back the team's live copy: ${n}. ${end[0].toUpperCase()}${end.slice(1)}. ${still}${hidden}`.replace(/ {2,}/g, ' '),
  };
}
