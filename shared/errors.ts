// One closed list of error codes, with the wording in one table (Mockoon's split), so the UI, the CLI
// and the logs say the same thing. Expected failures travel as values: { code, message }.

export const ERROR_MESSAGES = {
  BAD_REQUEST: 'The request is not valid.',
  VALIDATION: 'Some fields are not valid.',
  NOT_FOUND: 'Not found.',
  UNAUTHORIZED: 'A valid token is required.',
  FORBIDDEN_HOST: 'This Host header is not allowed (DNS rebinding protection).',
  FORBIDDEN_SENDER: 'This sender is not allowed.',
  FORBIDDEN_ROLE: 'Your token can view but not change anything here; ask an admin of this team server.',
  METHOD_NOT_ALLOWED: 'Method not allowed.',
  PAYLOAD_TOO_LARGE: 'The body is larger than the configured limit.',
  INVALID_JSON: 'The body is not valid JSON.',
  PORT_IN_USE: 'The port is already in use.',
  DATA_DIR_NOT_WRITABLE: 'The data directory is not writable.',
  DB_TOO_NEW: 'The database was written by a newer version of Hookscope.',
  DB_UNREACHABLE: 'The shared PostgreSQL database cannot be reached; Hookscope reconnects on its own.',
  SECRETS_UNREADABLE: 'Stored secrets were encrypted by the desktop app and cannot be read here.',
  TUNNEL_NO_TOKEN: 'No ngrok authtoken is set. Paste one from dashboard.ngrok.com into Setup, or set NGROK_AUTHTOKEN.',
  TUNNEL_INVALID_TOKEN: 'ngrok rejected the authtoken. Copy it again from dashboard.ngrok.com → Your Authtoken.',
  TUNNEL_NO_NETWORK: 'Cannot reach ngrok: this computer seems to be offline or ngrok is blocked. The local receiver keeps working.',
  TUNNEL_SESSION_LIMIT: 'Your ngrok account already has the maximum number of agent sessions online. Stop the other ngrok agent or upgrade the plan.',
  TUNNEL_DOMAIN_NOT_ALLOWED: 'This ngrok domain is not reserved for your account. Reserve it in the ngrok dashboard or clear the domain setting.',
  TUNNEL_FAILED: 'The tunnel could not be opened.',
  REPLAY_FAILED: 'The replay could not be delivered.',
  SERVER_UNREACHABLE: 'Cannot reach the team server; Hookscope keeps trying.',
  RULE_INVALID: 'The rule is not valid.',
  REGEX_UNSAFE: 'This regular expression could run away on some inputs; simplify it.',
  INTERNAL: 'Something went wrong inside Hookscope.',
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export interface AppError {
  code: ErrorCode;
  message: string;
}

export function appError(code: ErrorCode, message?: string): AppError {
  return { code, message: message ?? ERROR_MESSAGES[code] };
}

/** Thrown inside the core where a handler must stop; converted to an envelope at the edge. */
export class HookscopeError extends Error {
  constructor(public readonly code: ErrorCode, message?: string) {
    super(message ?? ERROR_MESSAGES[code]);
    this.name = 'HookscopeError';
  }
}

export function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(x)}`);
}

export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'NOT_FOUND': return 404;
    case 'UNAUTHORIZED': return 401;
    case 'FORBIDDEN_HOST':
    case 'FORBIDDEN_SENDER':
    case 'FORBIDDEN_ROLE': return 403;
    case 'METHOD_NOT_ALLOWED': return 405;
    case 'PAYLOAD_TOO_LARGE': return 413;
    case 'INTERNAL': return 500;
    case 'DB_UNREACHABLE': return 503;
    case 'TUNNEL_NO_TOKEN':
    case 'TUNNEL_INVALID_TOKEN':
    case 'TUNNEL_NO_NETWORK':
    case 'TUNNEL_SESSION_LIMIT':
    case 'TUNNEL_DOMAIN_NOT_ALLOWED':
    case 'TUNNEL_FAILED':
    case 'REPLAY_FAILED':
    case 'SERVER_UNREACHABLE': return 502;
    case 'PORT_IN_USE':
    case 'DATA_DIR_NOT_WRITABLE':
    case 'DB_TOO_NEW':
    case 'SECRETS_UNREADABLE': return 500;
    case 'BAD_REQUEST':
    case 'VALIDATION':
    case 'INVALID_JSON':
    case 'RULE_INVALID':
    case 'REGEX_UNSAFE': return 400;
    default: return assertNever(code);
  }
}
