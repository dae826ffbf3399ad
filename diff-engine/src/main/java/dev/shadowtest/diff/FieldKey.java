package dev.shadowtest.diff;

import dev.shadowtest.diff.internal.DifferenceList;
import java.util.Comparator;
import java.util.Objects;

/**
 * A field of an endpoint's responses (array indices collapsed) and a kind of difference: the key
 * of per-field statistics and of noise. A status difference is keyed by the status classes it
 * goes between ({@code status 2xx->5xx}), so that a flake between 200 and 404 on the legacy
 * instances never excuses a candidate 500.
 */
public record FieldKey(String field, DifferenceType type) implements Comparable<FieldKey> {

  private static final Comparator<FieldKey> ORDER =
      Comparator.comparing(FieldKey::field).thenComparing(FieldKey::type);

  public FieldKey {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(type, "type");
  }

  public static FieldKey of(Difference d) {
    if (d.type() == DifferenceType.STATUS && d.field().equals("status")) {
      String from = statusClass(d.expected());
      String to = statusClass(d.actual());
      if (from != null && to != null) {
        return new FieldKey("status " + from + "->" + to, DifferenceType.STATUS);
      }
    }
    if (d.type() == DifferenceType.BODY) {
      return new FieldKey(
          d.path(), DifferenceType.BODY); // a line region, or "body" for a whole (binary, cut) body
    }
    return new FieldKey(d.field(), d.type());
  }

  /** {@code 2xx} for "200", or null when {@code status} is not a status code. */
  static String statusClass(String status) {
    if (status == null || status.length() != 3 || !status.chars().allMatch(Character::isDigit)) {
      return null;
    }
    return status.charAt(0) + "xx";
  }

  /**
   * True when no amount of noise can excuse a difference of this key: a whole binary (or cut)
   * body, where nothing tells which bytes changed; a status that became 5xx in the actual
   * response (a candidate 5xx is never noise); the differences beyond the per-exchange cap and
   * the fields beyond the per-endpoint cap, which nothing was learned about.
   */
  public boolean neverNoise() {
    return type == DifferenceType.BODY
            && (field.equals("body")
                || field.equals(DifferenceList.MORE)
                || field.equals(Statistics.OTHER_FIELDS))
        || type == DifferenceType.STATUS && field.endsWith("->5xx");
  }

  @Override
  public int compareTo(FieldKey o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return type + " " + field;
  }
}
