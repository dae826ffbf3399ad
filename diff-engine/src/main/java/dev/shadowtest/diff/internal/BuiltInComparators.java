package dev.shadowtest.diff.internal;

import dev.shadowtest.diff.BodyComparator;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.Pseudonyms;
import java.util.List;
import java.util.Set;

/** The built-in body comparators: JSON, XML, form, text, binary (docs/rules.md). */
public final class BuiltInComparators {

  private BuiltInComparators() {}

  /** Structural JSON under the rule's JSON options and projections. */
  public static final BodyComparator JSON =
      new BuiltIn("json") {
        @Override
        public void compare(
            byte[] e, byte[] a, Context c, List<Difference> out, List<String> notes) {
          Bodies.json(e, a, c, out, notes);
        }

        @Override
        public Stored store(byte[] e, byte[] a, Pseudonyms p) {
          return Pseudonymize.json(e, a, p);
        }
      };

  /** Structural XML: names, attributes (any order), trimmed text, children in order. */
  public static final BodyComparator XML =
      new BuiltIn("xml") {
        @Override
        public void compare(
            byte[] e, byte[] a, Context c, List<Difference> out, List<String> notes) {
          XmlComparator.compare(e, a, c, out, notes);
        }

        @Override
        public Stored store(byte[] e, byte[] a, Pseudonyms p) {
          return Pseudonymize.xml(e, a, p);
        }
      };

  /** {@code application/x-www-form-urlencoded} as a multimap: key order free. */
  public static final BodyComparator FORM =
      new BuiltIn("form") {
        @Override
        public void compare(
            byte[] e, byte[] a, Context c, List<Difference> out, List<String> notes) {
          FormComparator.compare(e, a, out);
        }

        @Override
        public Stored store(byte[] e, byte[] a, Pseudonyms p) {
          return Pseudonymize.form(e, a, p);
        }
      };

  /** The text option that makes lines differing only in trailing whitespace equal. */
  public static final String IGNORE_TRAILING_WHITESPACE = "ignoreTrailingWhitespace";

  /** Lines: the changed region between common leading and trailing lines. */
  public static final BodyComparator TEXT =
      new BuiltIn("text") {
        @Override
        public void compare(
            byte[] e, byte[] a, Context c, List<Difference> out, List<String> notes) {
          Bodies.text(e, a, "true".equals(c.options().get(IGNORE_TRAILING_WHITESPACE)), out);
        }

        @Override
        public Set<String> optionNames() {
          return Set.of(IGNORE_TRAILING_WHITESPACE);
        }

        @Override
        public Stored store(byte[] e, byte[] a, Pseudonyms p) {
          return Pseudonymize.text(e, a, p);
        }
      };

  /** Bytes: equal or not (size and SHA-256 shown). */
  public static final BodyComparator BINARY =
      new BuiltIn("binary") {
        @Override
        public void compare(
            byte[] e, byte[] a, Context c, List<Difference> out, List<String> notes) {
          Bodies.binary(e, a, out);
        }

        @Override
        public boolean textual() {
          return false;
        }

        @Override
        public Stored store(byte[] e, byte[] a, Pseudonyms p) {
          return Pseudonymize.binary(e, a, p);
        }
      };

  /** Every built-in comparator. */
  public static final List<BodyComparator> ALL = List.of(JSON, XML, FORM, TEXT, BINARY);

  private abstract static class BuiltIn implements BodyComparator {
    private final String name;

    BuiltIn(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public boolean accepts(String mediaType, byte[] body) {
      return Bodies.builtIn(mediaType, body) == this;
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
