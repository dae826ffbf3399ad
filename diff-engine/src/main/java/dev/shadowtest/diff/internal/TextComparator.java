package dev.shadowtest.diff.internal;

import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import java.util.List;

/**
 * Line comparison in linear time: common leading and trailing lines are skipped and the changed
 * region in between is reported as one difference ({@code body:lines 5-7}).
 */
final class TextComparator {

  static final int MAX_SHOWN = 300;

  private TextComparator() {}

  static void compare(String expected, String actual, List<Difference> out) {
    if (expected.equals(actual)) {
      return;
    }
    String[] e = expected.split("\n", -1);
    String[] a = actual.split("\n", -1);
    int start = 0;
    while (start < e.length && start < a.length && e[start].equals(a[start])) {
      start++;
    }
    int endE = e.length;
    int endA = a.length;
    while (endE > start && endA > start && e[endE - 1].equals(a[endA - 1])) {
      endE--;
      endA--;
    }
    String where =
        endE - start <= 1 && endA - start <= 1
            ? "body:line " + (start + 1)
            : "body:lines " + (start + 1) + "-" + Math.max(endE, endA);
    out.add(
        new Difference(
            where, "body", DifferenceType.BODY, region(e, start, endE), region(a, start, endA)));
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
