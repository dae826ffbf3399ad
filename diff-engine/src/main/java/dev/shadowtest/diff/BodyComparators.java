package dev.shadowtest.diff;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.diff.internal.BuiltInComparators;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/** The body comparators: those found through ServiceLoader first, then the built-in ones. */
public final class BodyComparators {

  private static volatile List<BodyComparator> extras;

  private BodyComparators() {}

  /** Every comparator by name, extras first; two of one name are refused, naming both. */
  public static Map<String, BodyComparator> all() {
    Map<String, BodyComparator> out = new LinkedHashMap<>();
    List<BodyComparator> every = new ArrayList<>(extras());
    every.addAll(BuiltInComparators.ALL);
    for (BodyComparator c : every) {
      String name = c.name().toLowerCase(Locale.ROOT);
      BodyComparator before = out.putIfAbsent(name, c);
      if (before != null) {
        throw new BadInputException(
            "two body comparators are named \""
                + name
                + "\": "
                + before.getClass().getName()
                + " and "
                + c.getClass().getName()
                + " (rename one, or remove it from the class path)");
      }
    }
    return out;
  }

  /** The comparator named {@code name}, or a {@link BadInputException} naming the known ones. */
  public static BodyComparator named(String name) {
    Map<String, BodyComparator> all = all();
    BodyComparator c = all.get(name.toLowerCase(Locale.ROOT));
    if (c == null) {
      throw new BadInputException(
          "no body comparator is named \""
              + name
              + "\" (known: "
              + String.join(", ", all.keySet())
              + ")");
    }
    return c;
  }

  /** The comparators found through ServiceLoader, in class-path order (looked up once). */
  public static List<BodyComparator> extras() {
    List<BodyComparator> e = extras;
    if (e == null) {
      List<BodyComparator> found = new ArrayList<>();
      ServiceLoader.load(BodyComparator.class, BodyComparator.class.getClassLoader())
          .forEach(found::add);
      e = List.copyOf(found);
      extras = e;
      all(); // duplicates are refused at once
    }
    return e;
  }
}
