package dev.shadowtest.diff;

/**
 * The kinds of difference between an expected and an actual response (docs/summary-format.md). A header
 * difference is {@code MISSING} (only the expected response has the header), {@code EXTRA} (only
 * the actual one) or {@code VALUE} (both, with other values): noise of one kind never excuses
 * another.
 */
public enum DifferenceType {
  /** The status codes differ. */
  STATUS,
  /**
   * A header differs, of any kind: written only by Shadow before summary version 2 and still
   * read in old results files. Header differences are now MISSING, EXTRA or VALUE.
   */
  HEADER,
  /** A field, array element or header present in the expected response is absent in the actual one. */
  MISSING,
  /** The actual response has a field, array element or header the expected one does not. */
  EXTRA,
  /** Same type, different value (for a header: other values). */
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
