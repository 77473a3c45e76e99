// Error explanations for the Summary tab.
// TODO(error-codes): import { explainError } from '../../../shared/error-codes' once a colleague lands
// that catalogue; until then the inspector shows the provider's code and title only.
import type { Provider } from '../../../shared/types';

export interface Explanation {
  title?: string;
  meaning?: string;
  fix?: string;
  link?: string;
}

export function explain(_code: string, _provider: Provider | null): Explanation | null {
  return null;
}
