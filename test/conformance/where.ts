// Where the external conformance set lives: ../shared/fixtures/whatsapp next to the repository.
import { resolve } from 'node:path';

export const EXTERNAL_SET = resolve(__dirname, '../../../shared/fixtures/whatsapp');
