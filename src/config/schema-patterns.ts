// Patterns more than one schema file uses.

/** Header field-name token (RFC 9110). */
export const HEADER_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
