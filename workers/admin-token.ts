import { resolve } from 'node:path';
import type { AppConfig } from '../config/env';
import { localSecret } from './local-secret';

export interface AdminToken {
  token: string;
  /** `env`: ADMIN_TOKEN; `file`: read from ADMIN_TOKEN_FILE; `generated`: new, written there. */
  source: 'env' | 'file' | 'generated';
  /** The absolute path of ADMIN_TOKEN_FILE, when the token came from it. */
  file?: string;
}

/**
 * The admin token of a process started without ADMIN_TOKEN: the one in ADMIN_TOKEN_FILE (an
 * earlier run's, or a mounted secret), else a new one written there (mode 0600). The token never
 * goes to a log: callers log the file's path, and an operator reads the file.
 */
export function resolveAdminToken(config: Pick<AppConfig, 'ADMIN_TOKEN' | 'ADMIN_TOKEN_FILE'>): AdminToken {
  if (config.ADMIN_TOKEN) return { token: config.ADMIN_TOKEN, source: 'env' };
  const file = resolve(config.ADMIN_TOKEN_FILE);
  const { secret, created } = localSecret(file, { bytes: 24, minLength: 16, what: 'ADMIN_TOKEN_FILE' });
  return { token: secret, source: created ? 'generated' : 'file', file };
}
