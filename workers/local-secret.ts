import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LocalSecretOptions {
  /** Random bytes of a new secret (base64url-encoded). */
  bytes: number;
  /** A shorter secret found in the file is refused, naming the file. */
  minLength: number;
  /** What the file holds, for errors: `ADMIN_TOKEN_FILE`, `the JWT secret file`. */
  what: string;
}

/**
 * A secret kept in a file between starts: read from `path`, or generated and written there
 * readable by its owner only (0600, in a 0700 directory), created exclusively so that two processes
 * starting at once agree on one. The secret itself never goes to a log; callers show the path.
 */
export function localSecret(path: string, options: LocalSecretOptions): { secret: string; created: boolean } {
  const existing = readSecret(path, options);
  if (existing !== undefined) return { secret: existing, created: false };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const secret = randomBytes(options.bytes).toString('base64url');
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process wrote it first: use theirs.
    const theirs = readSecret(path, options);
    if (theirs === undefined) throw new Error(`${options.what} ${path} disappeared while it was being created`);
    return { secret: theirs, created: false };
  }
  chmodSync(path, 0o600); // the mode of a new file is also masked by umask; never wider than this
  return { secret, created: true };
}

function readSecret(path: string, options: LocalSecretOptions): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const secret = text.trim();
  if (secret.length < options.minLength) throw new Error(`${options.what} ${path} must hold a secret of ${options.minLength}+ characters`);
  return secret;
}

const fromRoot = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** Where `npm start` keeps its generated JWT_SECRET, and where `npm run token` finds it. */
export const LOCAL_JWT_SECRET_PATH = fromRoot('.local/jwt-secret');

/** JWT_SECRET from the environment, else the one `npm start` keeps in .local/jwt-secret (made on first use). */
export const localJwtSecret = (): string =>
  process.env.JWT_SECRET || localSecret(LOCAL_JWT_SECRET_PATH, { bytes: 32, minLength: 32, what: 'the JWT secret file' }).secret;
