package dev.shadowtest.diff;

/** The kinds of difference between an expected and an actual response (DESIGN.md). */
public enum DifferenceType {
  /** The status codes differ. */
  STATUS,
  /** A header is missing, extra or has other values. */
  HEADER,
  /** A field (or array element) present in the expected body is absent in the actual one. */
  MISSING,
  /** The actual body has a field (or array element) the expected body does not. */
  EXTRA,
  /** Same type, different value. */
  VALUE,
  /** Different JSON types (number vs string, object vs array...). */
  TYPE,
  /** Arrays of different lengths. */
  ARRAY_SIZE,
  /** The same elements in another order, where order matters. */
  ORDER,
  /** Non-structured bodies (text, binary) differ. */
  BODY
}
