// The names every process on a team database agrees on (docs/architecture.md "Team mode"): the NOTIFY
// channels and the advisory-lock keys. They are fixed forever — migrations 5 and 6 bake LOCK_APPEND and
// NOTIFY_CHANNEL into the hookscope_append function of every database already migrated, and processes of
// different versions share one database — so they live apart from the code that uses them.

/**
 * NOTIFY channel: the payload is the id range the append committed, `first-last` (a single id, the
 * highest, from appends of earlier versions). A listener fetches only the ranges that are not its own.
 */
export const NOTIFY_CHANNEL = 'hookscope_requests';
/** NOTIFY channel for forgotten contacts. */
export const FORGET_CHANNEL = 'hookscope_forget';
/** NOTIFY channel for rule changes (no payload: every process re-reads the few rules). */
export const RULES_CHANNEL = 'hookscope_rules';

/** Advisory lock keys (one namespace for Hookscope; the numbers are arbitrary but fixed forever). */
export const LOCK_APPEND = 0x484b5301;
export const LOCK_RETENTION = 0x484b5302;
export const LOCK_TIMERS = 0x484b5303;
export const LOCK_MIGRATE = 0x484b5304;
