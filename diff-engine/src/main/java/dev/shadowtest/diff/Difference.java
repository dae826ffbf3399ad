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
 */
public record Difference(String path, String field, DifferenceType type, String expected, String actual) {
  public Difference {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(type, "type");
  }

  @Override
  public String toString() {
    return type + " " + path + ": expected " + (expected == null ? "(absent)" : expected)
        + ", actual " + (actual == null ? "(absent)" : actual);
  }
}
