import { ApiError } from '../errors';

export const AUTH_REALM = 'saga-orchestrator';

/**
 * A 401 whose `WWW-Authenticate` challenge (RFC 6750) tells the client what to send. The header
 * travels on the error, so every path that answers 401 sets it the same way.
 */
export function unauthorized(message: string, tokenError?: 'invalid_token'): ApiError {
  const challenge = tokenError
    ? `Bearer realm="${AUTH_REALM}", error="${tokenError}", error_description="${message.replace(/["\\]/g, "'")}"`
    : `Bearer realm="${AUTH_REALM}"`;
  return new ApiError(401, 'unauthorized', message, [], { 'WWW-Authenticate': challenge });
}
