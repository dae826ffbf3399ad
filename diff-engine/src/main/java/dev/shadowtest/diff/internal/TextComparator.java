package dev.shadowtest.diff.internal;

import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.Location;
import java.util.List;

/**
 * Line comparison in linear time: common leading and trailing lines are skipped and the changed
 * region in between is reported as one difference ({@code body:lines 5-7}).
 */
final class TextComparator {

  static final int MAX_SHOWN = 300;

  private TextComparator() {}

  /**
   * Compares line by line; with {@code ignoreTrailingWhitespace} (the text comparator's option of
   * that name), lines that differ only in spaces, tabs or a carriage return at their end are equal.
   */
  static void compare(
      String expected, String actual, boolean ignoreTrailingWhitespace, List<Difference> out) {
    if (expected.equals(actual)) {
      return;
    }
    String[] e = expected.split("\n", -1);
    String[] a = actual.split("\n", -1);
    String[] ek = ignoreTrailingWhitespace ? stripped(e) : e;
    String[] ak = ignoreTrailingWhitespace ? stripped(a) : a;
    int start = 0;
    while (start < e.length && start < a.length && ek[start].equals(ak[start])) {
      start++;
    }
    if (start == e.length && start == a.length) {
      return;
    }
    int endE = e.length;
    int endA = a.length;
    while (endE > start && endA > start && ek[endE - 1].equals(ak[endA - 1])) {
      endE--;
      endA--;
    }
    Location where =
        endE - start <= 1 && endA - start <= 1
            ? new Location.TextLines(start + 1, start + 1)
            : new Location.TextLines(start + 1, Math.max(endE, endA));
    out.add(
        Difference.at(
            where, "body", DifferenceType.BODY, region(e, start, endE), region(a, start, endA)));
  }

  private static String[] stripped(String[] lines) {
    String[] out = new String[lines.length];
    for (int i = 0; i < lines.length; i++) {
      out[i] = lines[i].stripTrailing();
    }
    return out;
  }

  private static String region(String[] lines, int from, int to) {
    if (from >= to) {
      return "(no lines)";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < to && sb.length() <= MAX_SHOWN; i++) {
      if (i > from) {
        sb.append('\n');
      }
      sb.append(lines[i]);
    }
    if (sb.length() > MAX_SHOWN) {
      sb.setLength(MAX_SHOWN);
      sb.append('…');
    }
    return sb.toString();
  }
}
