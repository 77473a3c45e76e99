// The search's words as each full-text index's MATCH, per connection: a word's prefix written out as the
// exact terms that index holds starting with it, when they are few.
//
// Why: FTS5 answers a prefix query (`"refund"*`) by reading and merging the whole doclist of every term with
// that prefix before it returns a first row, so the newest page of a word 37,000 events carry cost as much
// as counting all of them, and a rowid range (the events that arrived since a remembered total) did not
// make it cheaper. The same word as exact terms is walked lazily, newest first, and stops at the page's limit
// (docs/benchmarks.md "Store reads at a million events, round 4"). The answer is the same: a prefix matches
// exactly the terms that start with it, and the terms are read from the index itself (fts5vocab), in the
// read's own snapshot.
import type { Database as Db, Statement } from 'better-sqlite3';
import { searchWords } from './filter-sql';

/** One MATCH expression per full-text index (filter-sql.ts searchSql takes them in this order). */
export interface SearchMatch { fts: string; keys: string }

/** Whether a MATCH still holds a prefix query (FTS5 then reads every match before the first row). */
export function isPrefixForm(match: string): boolean {
  return match.includes('*');
}

/** More terms than this after a word, and the word stays a prefix query (an OR of many terms walks each). */
const MAX_MORE_TERMS = 8;

/** A word the rewrite handles: ASCII letters and digits, one token whose folding is lower-casing. */
const PLAIN = /^[A-Za-z0-9]+$/;
const PLAIN_TERM = /^[a-z0-9]+$/;

/**
 * The MATCH of each index for a search (null: no words). Words that are not plain ASCII, or that start
 * more than MAX_MORE_TERMS other terms in an index, keep the prefix form (`"word"*`) there.
 */
export function createSearchTerms(db: Db): (q: string) => SearchMatch | null {
  // fts5vocab lists an index's terms in order. Temporary tables: nothing is written to the store's file,
  // and a read-only connection (the read worker's) may create them.
  db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.hs_terms_fts USING fts5vocab(main, events_fts, row);
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.hs_terms_keys USING fts5vocab(main, events_keys, row);`);
  // `term >= word || x'01'`: the terms after the word itself. fts5vocab takes `>` as `>=` and counts the
  // documents of every term it passes, so starting at the word would read the word's whole doclist.
  const more = (table: string) => db.prepare(`SELECT term FROM temp.${table} WHERE term >= ? AND term < ? LIMIT ${MAX_MORE_TERMS + 1}`).pluck();
  const st = { fts: more('hs_terms_fts'), keys: more('hs_terms_keys') };

  function side(words: string[], s: Statement): string {
    return words.map((w) => {
      if (!PLAIN.test(w)) return `"${w}"*`;
      const term = w.toLowerCase();
      // Every term that starts with `term` sorts in [term, term with its last character + 1).
      const next = term.slice(0, -1) + String.fromCharCode(term.charCodeAt(term.length - 1) + 1);
      const others = s.all(`${term}\u0001`, next) as string[];
      if (others.length > MAX_MORE_TERMS || !others.every((t) => PLAIN_TERM.test(t))) return `"${w}"*`;
      return others.length === 0 ? `"${term}"` : `("${term}" OR ${others.map((t) => `"${t}"`).join(' OR ')})`;
    // An explicit AND: FTS5 reads two phrases side by side as AND, but not a parenthesised OR beside another.
    }).join(' AND ');
  }

  return (q) => {
    const words = searchWords(q);
    if (words.length === 0) return null;
    return { fts: side(words, st.fts), keys: side(words, st.keys) };
  };
}
