/** A request to the API: `json` is sent as the JSON body, `admin` adds the admin token. */
export type JsonRequestInit = RequestInit & { json?: unknown; admin?: boolean };

export function jsonRequest({ json, admin, headers, ...init }: JsonRequestInit, adminToken: string): RequestInit {
  const allHeaders = new Headers(headers);
  if (json !== undefined && !allHeaders.has('content-type')) allHeaders.set('content-type', 'application/json');
  if (admin) allHeaders.set('authorization', `Bearer ${adminToken}`);
  return { ...init, headers: allHeaders, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) };
}
