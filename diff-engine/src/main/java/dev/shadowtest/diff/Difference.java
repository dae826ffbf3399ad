package dev.shadowtest.diff;

import java.util.Objects;

/**
 * One difference between an expected and an actual response.
 *
 * @param path     where: a concrete JSON path ({@code $.items[3].price}), {@code status},
 *                 {@code header:Content-Type} or {@code body}
 * @param field    the path with array indices collapsed ({@code $.items[*].price}): the key for
 *                 per-field statistics
 * @param type     what kind of difference
 * @param expected the expected value, rendered compactly (abbreviated when long), or null when absent
 * @param actual   the actual value, rendered the same way, or null when absent
 * @param accepted the reason of the rules' {@code accepted:} entry that covers this difference, or
 *                 null: an accepted difference is listed in every report but never counts
 */
public record Difference(
    String path,
    String field,
    DifferenceType type,
    String expected,
    String actual,
    String accepted) {
  public Difference {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(type, "type");
  }

  /** A difference that no rule accepted. */
  public Difference(
      String path, String field, DifferenceType type, String expected, String actual) {
    this(path, field, type, expected, actual, null);
  }

  /** Where it is, typed ({@link Location#parse} of {@link #path()}). */
  public Location location() {
    return Location.parse(path);
  }

  /** A difference at a typed location; {@code field} is what statistics count it by. */
  public static Difference at(
      Location where, String field, DifferenceType type, String expected, String actual) {
    return new Difference(where.path(), field, type, expected, actual, null);
  }

  public boolean isAccepted() {
    return accepted != null;
  }

  /** This difference, accepted for {@code reason}. */
  public Difference withAccepted(String reason) {
    return new Difference(path, field, type, expected, actual, reason);
  }

  @Override
  public String toString() {
    return type
        + " "
        + path
        + ": expected "
        + (expected == null ? "(absent)" : expected)
        + ", actual "
        + (actual == null ? "(absent)" : actual)
        + (accepted == null ? "" : " (accepted: " + accepted + ")");
  }
}
