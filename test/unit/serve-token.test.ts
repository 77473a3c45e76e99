// The control API's bearer token can never be empty: an empty HOOKSCOPE_UI_TOKEN (a blank line in a
// .env file, a CI template) used to make `?token=` — no token at all — pass the check.
import { describe, expect, it } from 'vitest';
import { FlagError, parseServeArgs } from '../../electron/serve/flags';
import { createControlServer } from '../../electron/serve/control-api';
import { silentLogger } from '../../electron/core/types';

describe('serve UI token', () => {
  it('an empty HOOKSCOPE_UI_TOKEN means "generate one", not "no token"', () => {
    expect(parseServeArgs([], { HOOKSCOPE_UI_TOKEN: '' }).uiToken).toBeNull();
    expect(parseServeArgs([], { HOOKSCOPE_UI_TOKEN: '   ' }).uiToken).toBeNull();
    expect(parseServeArgs([], { HOOKSCOPE_UI_TOKEN: 'abc' }).uiToken).toBe('abc');
  });

  it('an empty --ui-token is refused', () => {
    expect(() => parseServeArgs(['--ui-token='], {})).toThrow(FlagError);
    expect(() => parseServeArgs(['--ui-token', ' '], {})).toThrow(FlagError);
  });

  it('the control server refuses to start without a token', () => {
    const o = { core: {} as never, dispatch: (() => undefined) as never, port: 0, staticDir: '/nonexistent', logger: silentLogger };
    expect(() => createControlServer({ ...o, token: '' })).toThrow(/token/);
  });
});
