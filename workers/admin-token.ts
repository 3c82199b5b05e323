import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AppConfig } from '../config/env';

export interface AdminToken {
  token: string;
  /** `env`: ADMIN_TOKEN; `file`: read from ADMIN_TOKEN_FILE; `generated`: new, written there. */
  source: 'env' | 'file' | 'generated';
  /** The absolute path of ADMIN_TOKEN_FILE, when the token came from it. */
  file?: string;
}

const MIN_LENGTH = 16;

/**
 * The admin token of a process started without ADMIN_TOKEN: the one in ADMIN_TOKEN_FILE (an
 * earlier run's, or a mounted secret), else a new one written there, readable by its owner only
 * (mode 0600, created exclusively, so two processes starting at once agree on one). The token
 * never goes to a log: callers log the file's path, and an operator reads the file.
 */
export function resolveAdminToken(config: Pick<AppConfig, 'ADMIN_TOKEN' | 'ADMIN_TOKEN_FILE'>): AdminToken {
  if (config.ADMIN_TOKEN) return { token: config.ADMIN_TOKEN, source: 'env' };
  const file = resolve(config.ADMIN_TOKEN_FILE);
  const existing = readToken(file);
  if (existing !== undefined) return { token: existing, source: 'file', file };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString('base64url');
  try {
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { token: mustRead(file), source: 'file', file };
    throw error;
  }
  chmodSync(file, 0o600); // the mode of a new file is also masked by umask; never wider than this
  return { token, source: 'generated', file };
}

function readToken(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const token = text.trim();
  if (token.length < MIN_LENGTH) throw new Error(`ADMIN_TOKEN_FILE ${file} must hold a token of ${MIN_LENGTH}+ characters`);
  return token;
}

function mustRead(file: string): string {
  const token = readToken(file);
  if (token === undefined) throw new Error(`ADMIN_TOKEN_FILE ${file} disappeared while it was being created`);
  return token;
}
