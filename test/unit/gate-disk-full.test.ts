// Whether a store error means the disk is full (electron/core/ingest/gate.ts, isDiskFull): a full disk is
// answered 503 with Retry-After 30 and shown in the UI and the doctor until a retry is stored; any other
// failure is a plain 503 with Retry-After 5. Calling a full disk "some error" hides the cause; calling
// any error a full disk sends the user to free space that is not the problem.
import { describe, expect, it } from 'vitest';
import { isDiskFull } from '../../electron/core/ingest/gate';

const err = (code: unknown, message = '') => Object.assign(new Error(message), { code });

describe('a full disk is recognised by its code', () => {
  it('SQLite\'s SQLITE_FULL and the OS\'s ENOSPC and EDQUOT', () => {
    for (const c of ['SQLITE_FULL', 'ENOSPC', 'EDQUOT']) expect(isDiskFull(err(c)), c).toBe(true);
  });

  it('a failed WAL write (SQLITE_IOERR…) whose text names the lack of space', () => {
    for (const m of ['disk I/O error: No space left on device', 'write failed ENOSPC', 'database or disk is full', 'disk full', 'Disk quota exceeded']) {
      expect(isDiskFull(err('SQLITE_IOERR_WRITE', m)), m).toBe(true);
    }
    expect(isDiskFull(err('SQLITE_IOERR', 'no space'))).toBe(true);
  });
});

describe('other failures are not a full disk', () => {
  it('an I/O error that says nothing about space', () => {
    expect(isDiskFull(err('SQLITE_IOERR_WRITE', 'disk I/O error'))).toBe(false);
    expect(isDiskFull(err('SQLITE_IOERR_WRITE'))).toBe(false);
  });

  it('space words under another code, or a code that only contains IOERR', () => {
    expect(isDiskFull(err('SQLITE_BUSY', 'database or disk is full'))).toBe(false);
    expect(isDiskFull(err('X_SQLITE_IOERR', 'no space left'))).toBe(false);
    expect(isDiskFull(err('SQLITE_CORRUPT'))).toBe(false);
    expect(isDiskFull(err('EACCES'))).toBe(false);
  });

  it('errors without a string code, and things that are not errors, do not throw', () => {
    expect(isDiskFull(new Error('No space left on device'))).toBe(false);
    expect(isDiskFull(err(28, 'ENOSPC'))).toBe(false);
    expect(isDiskFull(null)).toBe(false);
    expect(isDiskFull(undefined)).toBe(false);
    expect(isDiskFull('ENOSPC')).toBe(false);
    expect(isDiskFull({ code: 'SQLITE_IOERR_WRITE', message: 42 })).toBe(false);
  });
});
