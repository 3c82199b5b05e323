import { readFileSync } from 'node:fs';
import type { AsyncApiDocument } from '../../messaging/asyncapi-document';

/** The AsyncAPI document as committed: the contract the next change is compared with. */
export const COMMITTED_ASYNCAPI_PATH = 'docs/asyncapi.json';

export const formatDocument = (document: AsyncApiDocument): string => `${JSON.stringify(document, null, 2)}\n`;

export const readCommittedDocument = (): AsyncApiDocument => JSON.parse(readFileSync(COMMITTED_ASYNCAPI_PATH, 'utf8')) as AsyncApiDocument;
