import { writeFileSync } from 'node:fs';
import { asyncApiDocument } from '../../messaging/asyncapi-document';
import { COMMITTED_ASYNCAPI_PATH, formatDocument } from './committed-document';

/** `npm run contracts:generate`: rewrites the committed AsyncAPI document from the event schemas. */
writeFileSync(COMMITTED_ASYNCAPI_PATH, formatDocument(asyncApiDocument()));
console.log(`wrote ${COMMITTED_ASYNCAPI_PATH}`);
