/**
 * External session ids: URL-safe, at most 64 characters, never a path trick like `..`. Checked
 * before any lookup, so an id that can never exist is a 404 without reaching the database.
 */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.:-]{0,63}$/;

export const isSessionId = (value: string) => SESSION_ID_PATTERN.test(value);
