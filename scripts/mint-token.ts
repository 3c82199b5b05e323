import { parseArgs } from 'node:util';
import { mintToken } from '../api/auth/mint-token';
import { loadConfig } from '../config/env';
import { isCustomerId, CUSTOMER_ID_RULE } from '../domain/customer-id';
import { LOCAL_JWT_SECRET_PATH, localJwtSecret } from '../workers/local-secret';

/**
 * `npm run token -- <customer-id> [--admin] [--ttl 3600]`: prints a token the API accepts for that
 * customer, signed with JWT_SECRET (or the one `npm start` keeps in .local/jwt-secret) for the
 * configured JWT_ISSUER and JWT_AUDIENCE. Production tokens come from your identity provider.
 */
const usage = 'usage: npm run token -- <customer-id> [--admin] [--ttl <seconds>]';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { admin: { type: 'boolean', default: false }, ttl: { type: 'string', default: '3600' }, help: { type: 'boolean', short: 'h' } },
});
const [customerId] = positionals;
const ttlSeconds = Number(values.ttl);
if (values.help || !customerId || positionals.length > 1) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}
if (!isCustomerId(customerId)) {
  console.error(`${JSON.stringify(customerId)} is not a customer id: ${CUSTOMER_ID_RULE}`);
  process.exit(2);
}
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
  console.error(`--ttl must be a positive whole number of seconds, not ${JSON.stringify(values.ttl)}`);
  process.exit(2);
}
if (!process.env.JWT_SECRET) console.error(`signing with the secret in ${LOCAL_JWT_SECRET_PATH} (set JWT_SECRET to use another)`);
const config = loadConfig({ ...process.env, JWT_SECRET: localJwtSecret() });
process.stdout.write(`${await mintToken(config, { sub: customerId, roles: values.admin ? ['admin'] : undefined, ttlSeconds })}\n`);
