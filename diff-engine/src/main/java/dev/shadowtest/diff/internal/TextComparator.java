package dev.shadowtest.diff.internal;

import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.Location;
import java.util.ArrayList;
import java.util.List;

/**
 * Line comparison in linear time: common leading and trailing lines are skipped, and what changed
 * in between is reported as precisely as noise needs it to be:
 *
 * <ul>
 *   <li>lines only on one side: removed ({@code MISSING}) or added ({@code EXTRA}) lines, typed
 *       apart from changed ones, so that noise learned on a changed line never excuses its loss;
 *   <li>as many lines on both sides (up to {@link #MAX_LINES}): each changed line on its own; in a
 *       line that kept its shape (the same delimiters around its words) each changed word on its
 *       own ({@code body:line 3 token 7}), so that a noisy word (a CSRF token, a timestamp in a
 *       one-line page or JSONP) excuses that word only;
 *   <li>otherwise the changed region as one difference ({@code body:lines 5-7}).
 * </ul>
 */
final class TextComparator {

  static final int MAX_SHOWN = 300;

  /** Changed lines compared one by one at most; a longer region is one difference. */
  static final int MAX_LINES = 50;

  /** Changed words reported one by one in a line at most; more make it a changed line. */
  static final int MAX_TOKENS = 8;

  /** Differences one comparison reports word by word or line by line at most. */
  static final int MAX_FINE = 100;

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
    int ne = endE - start;
    int na = endA - start;
    if (ne == 0 || na == 0) {
      // lines removed or added, nothing else: typed so, by the lines of the longer side
      Location where = new Location.TextLines(start + 1, start + Math.max(ne, na));
      out.add(
          Difference.at(
              where,
              where.path(),
              ne == 0 ? DifferenceType.EXTRA : DifferenceType.MISSING,
              region(e, start, endE),
              region(a, start, endA)));
      return;
    }
    if (ne == na && ne <= MAX_LINES) {
      List<Difference> fine = new ArrayList<>();
      for (int i = start; i < endE && fine.size() <= MAX_FINE; i++) {
        if (!ek[i].equals(ak[i]) && !words(ek[i], ak[i], i + 1, fine)) {
          fine.add(
              Difference.at(
                  new Location.TextLines(i + 1, i + 1),
                  "body",
                  DifferenceType.BODY,
                  region(e, i, i + 1),
                  region(a, i, i + 1)));
        }
      }
      if (fine.size() <= MAX_FINE) {
        out.addAll(fine);
        return;
      }
    }
    Location where =
        ne <= 1 && na <= 1
            ? new Location.TextLines(start + 1, start + 1)
            : new Location.TextLines(start + 1, Math.max(endE, endA));
    out.add(
        Difference.at(
            where, "body", DifferenceType.BODY, region(e, start, endE), region(a, start, endA)));
  }

  /**
   * The changed words of line {@code line} added to {@code out}, when both sides have the same
   * delimiters around their words and at most {@link #MAX_TOKENS} words changed; else false and
   * nothing added.
   */
  private static boolean words(String e, String a, int line, List<Difference> out) {
    // both lines read token by token at once (a word, or one delimiter), without copying them:
    // a line of a megabyte that changed its shape early costs little
    List<Difference> changed = new ArrayList<>();
    int i = 0;
    int j = 0;
    int word = 0;
    while (i < e.length() || j < a.length()) {
      if (i == e.length() || j == a.length()) {
        return false; // one line has more tokens: another shape
      }
      char x = e.charAt(i);
      char y = a.charAt(j);
      boolean delimiter = delimiter(x);
      if (delimiter != delimiter(y)) {
        return false;
      }
      if (delimiter) {
        if (x != y) {
          return false; // another shape: the line changed, not a word of it
        }
        i++;
        j++;
        continue;
      }
      int ie = wordEnd(e, i);
      int je = wordEnd(a, j);
      word++;
      if (ie - i != je - j || !e.regionMatches(i, a, j, ie - i)) {
        if (changed.size() == MAX_TOKENS) {
          return false;
        }
        changed.add(
            Difference.at(
                new Location.TextToken(line, word),
                "body",
                DifferenceType.BODY,
                clip(e.substring(i, Math.min(ie, i + MAX_SHOWN + 1))),
                clip(a.substring(j, Math.min(je, j + MAX_SHOWN + 1)))));
      }
      i = ie;
      j = je;
    }
    out.addAll(changed);
    return !changed.isEmpty();
  }

  /** Where the word starting at {@code from} ends: the next delimiter, or the line's end. */
  private static int wordEnd(String s, int from) {
    int k = from;
    while (k < s.length() && !delimiter(s.charAt(k))) {
      k++;
    }
    return k;
  }

  /**
   * What separates words: white space and the punctuation of markup, JSON and query strings
   * (a word keeps {@code + / . _ -}, so that a base64 token or a number stays one word).
   */
  static boolean delimiter(char c) {
    return switch (c) {
      case ' ',
          '\t',
          '\r',
          '<',
          '>',
          '"',
          '\'',
          '(',
          ')',
          '{',
          '}',
          '[',
          ']',
          ',',
          ';',
          ':',
          '=',
          '&',
          '?' ->
          true;
      default -> false;
    };
  }

  private static String clip(String s) {
    return s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "…";
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
