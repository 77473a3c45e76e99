// Provider payload → normalised events (docs/api.md). Pure: no Node, no DOM; the core runs these on every
// webhook and the renderer can re-run them (e.g. to preview a replay).
export { normaliseMeta } from './meta';
export { normaliseTwilio, normaliseTwilioJson, twilioAddress } from './twilio';
