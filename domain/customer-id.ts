/**
 * A customer id is the subject (`sub`) of the caller's token, so it takes the forms identity
 * providers issue: `auth0|64f1c…`, `google-oauth2|1088…`, `okta:00u1ab…`, UUIDs, e-mail addresses.
 * No spaces, quotes, slashes or control characters: the id appears in URLs' query strings, logs,
 * search attributes and the Temporal UI.
 */
export const CUSTOMER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@|:+-]{0,127}$/;

export const CUSTOMER_ID_RULE = 'a customer id is 1-128 letters, digits, _ . @ | : + or -, starting with a letter or digit';

export const isCustomerId = (value: string): boolean => CUSTOMER_ID_PATTERN.test(value);
