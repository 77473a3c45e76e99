// The team database's URL holds a password: these helpers say where it points without ever saying it.
// No pg import here, so the flag parser and the shells can use them without loading the client.

/** "host:port/database" of a postgres:// URL, without user or password: safe to print. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    return `${host}:${u.port || '5432'}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return '(an unparseable database URL)';
  }
}

/** The URL with its password replaced, for anything that must mention it. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const k of ['password', 'sslpassword']) if (u.searchParams.has(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return '(an unparseable database URL)';
  }
}

/** Whether `url` names a PostgreSQL database (rather than the default SQLite file). */
export function isPostgresUrl(url: string | null | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}

/** Removes the URL and its password from any text (a pg error message, a stack). */
export function makeRedactor(url: string): (text: string) => string {
  const secrets: string[] = [url];
  try {
    const u = new URL(url);
    if (u.password) secrets.push(u.password, decodeURIComponent(u.password));
    const qp = u.searchParams.get('password');
    if (qp) secrets.push(qp);
  } catch { /* nothing more to hide */ }
  const hide = secrets.filter((s) => s.length >= 1).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of hide) out = out.split(s).join(s === url ? redactUrl(url) : '***');
    return out;
  };
}

