package dev.shadowtest.diff;

import java.util.Comparator;
import java.util.Objects;

/** A field of an endpoint's responses (array indices collapsed) and a kind of difference. */
public record FieldKey(String field, DifferenceType type) implements Comparable<FieldKey> {

  private static final Comparator<FieldKey> ORDER =
      Comparator.comparing(FieldKey::field).thenComparing(FieldKey::type);

  public FieldKey {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(type, "type");
  }

  public static FieldKey of(Difference d) {
    return new FieldKey(d.field(), d.type());
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
