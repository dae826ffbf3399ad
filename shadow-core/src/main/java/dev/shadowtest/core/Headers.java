package dev.shadowtest.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * An ordered, immutable list of HTTP header fields. Repeated names survive and the case of each
 * name is kept as it was seen on the wire; lookups ignore case.
 *
 * <pre>{@code
 * Headers h = Headers.of("Accept", "application/json", "Set-Cookie", "a=1", "set-cookie", "b=2");
 * h.first("content-type");   // Optional.empty()
 * h.all("SET-COOKIE");       // ["a=1", "b=2"]
 * }</pre>
 */
public final class Headers implements Iterable<Headers.Field> {

  /** One header field: a name (case as seen) and its value. */
  public record Field(String name, String value) {
    public Field {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "header value");
    }

    /** True when this field's name equals {@code other} ignoring case. */
    public boolean is(String other) {
      return name.equalsIgnoreCase(other);
    }
  }

  private static final Headers EMPTY = new Headers(List.of());

  private final List<Field> fields;

  private Headers(List<Field> fields) {
    this.fields = fields;
  }

  /** No header fields. */
  public static Headers empty() {
    return EMPTY;
  }

  /** Headers from alternating names and values: {@code of("Accept", "text/html", ...)}. */
  public static Headers of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("expected name/value pairs, got an odd number of strings");
    }
    List<Field> list = new ArrayList<>(namesAndValues.length / 2);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      list.add(new Field(namesAndValues[i], namesAndValues[i + 1]));
    }
    return new Headers(Collections.unmodifiableList(list));
  }

  /** Headers holding {@code fields} in their order. */
  public static Headers of(List<Field> fields) {
    return fields.isEmpty() ? EMPTY : new Headers(List.copyOf(fields));
  }

  /** The value of the first field named {@code name} (any case). */
  public Optional<String> first(String name) {
    for (Field f : fields) {
      if (f.is(name)) {
        return Optional.of(f.value());
      }
    }
    return Optional.empty();
  }

  /** Every value of the fields named {@code name} (any case), in order. */
  public List<String> all(String name) {
    List<String> values = new ArrayList<>(2);
    for (Field f : fields) {
      if (f.is(name)) {
        values.add(f.value());
      }
    }
    return values;
  }

  public boolean contains(String name) {
    return first(name).isPresent();
  }

  /** These headers plus one field at the end. */
  public Headers with(String name, String value) {
    List<Field> list = new ArrayList<>(fields.size() + 1);
    list.addAll(fields);
    list.add(new Field(name, value));
    return new Headers(Collections.unmodifiableList(list));
  }

  /** These headers with one field at the front (e.g. {@code Host}, which leads by convention). */
  public Headers withFirst(String name, String value) {
    List<Field> list = new ArrayList<>(fields.size() + 1);
    list.add(new Field(name, value));
    list.addAll(fields);
    return new Headers(Collections.unmodifiableList(list));
  }

  /** These headers without any field named {@code name} (any case). */
  public Headers without(String name) {
    List<Field> list = new ArrayList<>(fields.size());
    for (Field f : fields) {
      if (!f.is(name)) {
        list.add(f);
      }
    }
    return list.size() == fields.size() ? this : new Headers(Collections.unmodifiableList(list));
  }

  /** These headers with the value of every field named {@code name} (any case) mapped. */
  public Headers mapValues(String name, UnaryOperator<String> mapper) {
    List<Field> list = new ArrayList<>(fields.size());
    boolean changed = false;
    for (Field f : fields) {
      if (f.is(name)) {
        String v = mapper.apply(f.value());
        changed |= !v.equals(f.value());
        list.add(new Field(f.name(), v));
      } else {
        list.add(f);
      }
    }
    return changed ? new Headers(Collections.unmodifiableList(list)) : this;
  }

  public List<Field> asList() {
    return fields;
  }

  public int size() {
    return fields.size();
  }

  public boolean isEmpty() {
    return fields.isEmpty();
  }

  public Stream<Field> stream() {
    return fields.stream();
  }

  @Override
  public Iterator<Field> iterator() {
    return fields.iterator();
  }

  /** Equal when the same fields, with the same name case, come in the same order. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Headers other && fields.equals(other.fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (Field f : fields) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(f.name()).append(": ").append(f.value());
    }
    return sb.append(']').toString();
  }

  /**
   * The fields of one header line whose value holds line breaks (chrome-har joins repeated
   * fields with "\n"): one field per line, a line starting with a space or tab continuing the one
   * before (obsolete line folding), blank lines dropped. A value without line breaks is one field.
   */
  static List<Field> oneFieldPerLine(String name, String value) {
    if (!hasLineBreak(value)) {
      return List.of(new Field(name, value));
    }
    List<Field> out = new ArrayList<>(2);
    StringBuilder current = null;
    for (String line : value.split("\r\n|\r|\n")) {
      if (current != null && !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
        current.append(' ').append(line.strip());
        continue;
      }
      if (current != null) {
        out.add(new Field(name, current.toString()));
      }
      current = line.isBlank() ? null : new StringBuilder(line);
    }
    if (current != null) {
      out.add(new Field(name, current.toString()));
    }
    return out;
  }

  /** True when {@code s} holds a CR or LF: never in a recorded header field. */
  static boolean hasLineBreak(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n') {
        return true;
      }
    }
    return false;
  }
}
