import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A secret `npm start` keeps between starts: read from `path`, or generated once and written there
 * readable by its owner only (0600, in a 0700 directory), so tokens minted against it stay valid
 * across restarts and `npm run token` signs with the same one.
 */
export function localSecret(path: string, bytes = 32): string {
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if (existing) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const secret = randomBytes(bytes).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // the mode above only applies when the file is created
  return secret;
}

const fromRoot = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** Where `npm start` keeps its generated JWT_SECRET, and where `npm run token` finds it. */
export const LOCAL_JWT_SECRET_PATH = fromRoot('.local/jwt-secret');

/** JWT_SECRET from the environment, else the one `npm start` keeps in .local/jwt-secret (made on first use). */
export const localJwtSecret = (): string => process.env.JWT_SECRET || localSecret(LOCAL_JWT_SECRET_PATH);
