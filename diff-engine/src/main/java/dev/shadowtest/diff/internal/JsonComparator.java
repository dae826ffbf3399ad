package dev.shadowtest.diff.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowtest.core.JsonPath;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.JsonOptions;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Structural JSON comparison with an explicit work stack (no recursion: 10,000 levels of nesting
 * are fine). Unordered arrays are matched as multisets and keyed arrays by key through hashing of
 * canonical forms: O(n log n) or better, unlike pairwise matching.
 */
public final class JsonComparator {

  /** Values longer than this are abbreviated in differences. */
  static final int MAX_RENDERED = 300;

  /** Leftover unordered elements up to this many are paired up and compared field by field. */
  private static final int MAX_PAIRED_LEFTOVERS = 64;

  private final JsonOptions options;

  public JsonComparator(JsonOptions options) {
    this.options = options;
  }

  /**
   * One pair of values to compare. {@code ignore} holds, per ignore pattern, the match state of
   * this location; null once no pattern can match anything below (then no checks at all).
   */
  private record Task(JsonNode expected, JsonNode actual, Loc loc, long[] ignore) {}

  /** All differences between {@code expected} and {@code actual}. */
  public List<Difference> compare(JsonNode expected, JsonNode actual) {
    List<Difference> out = new ArrayList<>();
    compareInto(expected, actual, out);
    return out;
  }

  /** Adds the differences between {@code expected} and {@code actual} to {@code out} (which may cap them). */
  public void compareInto(JsonNode expected, JsonNode actual, List<Difference> out) {
    ArrayDeque<Object> stack =
        new ArrayDeque<>(); // Task, or OrderCheck once an array's elements are done
    long[] rootIgnore = null;
    if (!options.ignore().isEmpty()) {
      rootIgnore = new long[options.ignore().size()];
      for (int i = 0; i < rootIgnore.length; i++) {
        rootIgnore[i] = options.ignore().get(i).start();
      }
      if (ignoredState(rootIgnore)) {
        return; // "$" is ignored: nothing is compared
      }
    }
    stack.push(new Task(expected, actual, Loc.ROOT, rootIgnore));
    while (!stack.isEmpty()) {
      Object top = stack.pop();
      if (top instanceof OrderCheck check) {
        orderCheck(check, out);
        continue;
      }
      Task t = (Task) top;
      JsonNode e = t.expected;
      JsonNode a = t.actual;
      if (e.isObject() && a.isObject()) {
        objects(t, stack, out);
      } else if (e.isArray() && a.isArray()) {
        arrays(t, stack, out);
      } else if (e.isNumber() && a.isNumber()) {
        if (!options.tolerance().accepts(e.decimalValue(), a.decimalValue())) {
          out.add(diff(t.loc, DifferenceType.VALUE, e, a));
        }
      } else if (e.getNodeType() != a.getNodeType()) {
        if (!(options.lenientTypes() && lenientlyEqual(e, a))) {
          out.add(diff(t.loc, DifferenceType.TYPE, e, a));
        }
      } else if (!e.equals(a)) { // scalars of the same type: string, boolean (null equals null)
        out.add(diff(t.loc, DifferenceType.VALUE, e, a));
      }
    }
  }

  /**
   * Pushed below an ordered array's elements; when it pops, they have all been compared. If they
   * produced several differences but the arrays hold the same elements, it was a reordering:
   * one ORDER difference replaces them. Costs nothing for equal arrays.
   */
  private record OrderCheck(Task array, int firstDifference) {}

  private void orderCheck(OrderCheck check, List<Difference> out) {
    if (out.size() - check.firstDifference < 2 || !sameMultiset(check.array)) {
      return;
    }
    out.subList(check.firstDifference, out.size()).clear();
    Loc loc = check.array.loc;
    out.add(
        new Difference(
            JsonPath.render(loc.toList()),
            JsonPath.collapse(loc.toList()),
            DifferenceType.ORDER,
            Render.abbreviate(check.array.expected, MAX_RENDERED),
            Render.abbreviate(check.array.actual, MAX_RENDERED)));
  }

  private void objects(Task t, ArrayDeque<Object> stack, List<Difference> out) {
    JsonNode e = t.expected;
    JsonNode a = t.actual;
    List<Task> children = new ArrayList<>();
    int present = 0; // expected members found in the actual object (ignored ones included)
    for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode other = a.get(f.getKey());
      if (other != null) {
        present++;
      }
      long[] ignore = advance(t.ignore, f.getKey());
      if (ignoredState(ignore)) {
        continue;
      }
      Loc loc = t.loc.child(f.getKey());
      if (other == null) {
        if (!(options.treatNullAsAbsent() && f.getValue().isNull())) {
          out.add(diff(loc, DifferenceType.MISSING, f.getValue(), null));
        }
      } else {
        children.add(new Task(f.getValue(), other, loc, ignore));
      }
    }
    if (present == e.size() && a.size() == e.size()) {
      // every expected member was found and the sizes agree: the actual object has no extras
      for (int i = children.size() - 1; i >= 0; i--) {
        stack.push(children.get(i));
      }
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (e.has(f.getKey())) {
        continue;
      }
      if (options.extraFieldsAllowed() || options.treatNullAsAbsent() && f.getValue().isNull()) {
        continue;
      }
      if (!ignoredState(advance(t.ignore, f.getKey()))) {
        out.add(diff(t.loc.child(f.getKey()), DifferenceType.EXTRA, null, f.getValue()));
      }
    }
    for (int i = children.size() - 1; i >= 0; i--) {
      stack.push(children.get(i)); // keep document order in the output
    }
  }

  private void arrays(Task t, ArrayDeque<Object> stack, List<Difference> out) {
    String key = keyFor(t.loc);
    if (key != null) {
      keyed(t, key, stack, out);
    } else if (unordered(t.loc)) {
      unorderedArrays(t, stack, out);
    } else {
      ordered(t, stack, out);
    }
  }

  private void ordered(Task t, ArrayDeque<Object> stack, List<Difference> out) {
    JsonNode e = t.expected;
    JsonNode a = t.actual;
    if (e.size() != a.size()) {
      out.add(
          new Difference(
              JsonPath.render(t.loc.toList()),
              JsonPath.collapse(t.loc.toList()),
              DifferenceType.ARRAY_SIZE,
              "length " + e.size(),
              "length " + a.size()));
      multisetDiff(
          t, out, stack); // which elements are missing or extra, without a cascade of shifts
      return;
    }
    if (e.size() > 1) {
      stack.push(new OrderCheck(t, out.size()));
    }
    for (int i = e.size() - 1; i >= 0; i--) {
      long[] ignore = advance(t.ignore, i);
      if (!ignoredState(ignore)) {
        stack.push(new Task(e.get(i), a.get(i), t.loc.child(i), ignore));
      }
    }
  }

  private boolean sameMultiset(Task t) {
    String[] e = canonicalElements(t.expected, t.loc);
    String[] a = canonicalElements(t.actual, t.loc);
    Arrays.sort(e);
    Arrays.sort(a);
    return Arrays.equals(e, a);
  }

  private String[] canonicalElements(JsonNode array, Loc loc) {
    String[] out = new String[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Canonical.of(array.get(i), loc.child(i), this);
    }
    return out;
  }

  private void unorderedArrays(Task t, ArrayDeque<Object> stack, List<Difference> out) {
    if (t.expected.size() != t.actual.size()) {
      out.add(
          new Difference(
              JsonPath.render(t.loc.toList()),
              JsonPath.collapse(t.loc.toList()),
              DifferenceType.ARRAY_SIZE,
              "length " + t.expected.size(),
              "length " + t.actual.size()));
    }
    multisetDiff(t, out, stack);
  }

  /**
   * Matches equal elements by canonical form (hashing: O(n) expected); reports what is left as
   * MISSING / EXTRA, or, when as many are left on both sides and few, pairs them in their order
   * in each array and compares them field by field. Order of appearance, not of values: pairing
   * depends on which elements are equal only, so a run's pseudonymised responses pair alike.
   */
  private void multisetDiff(Task t, List<Difference> out, ArrayDeque<Object> stack) {
    Map<String, ArrayDeque<Integer>> actualByForm = new HashMap<>();
    String[] actualForms = canonicalElements(t.actual, t.loc);
    for (int i = 0; i < actualForms.length; i++) {
      actualByForm.computeIfAbsent(actualForms[i], k -> new ArrayDeque<>()).add(i);
    }
    String[] expectedForms = canonicalElements(t.expected, t.loc);
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < expectedForms.length; i++) {
      ArrayDeque<Integer> q = actualByForm.get(expectedForms[i]);
      if (q == null || q.isEmpty()) {
        missing.add(i);
      } else {
        q.poll();
      }
    }
    List<Integer> extra = new ArrayList<>();
    for (ArrayDeque<Integer> q : actualByForm.values()) {
      extra.addAll(q);
    }
    extra.sort(null);
    if (!missing.isEmpty()
        && missing.size() == extra.size()
        && missing.size() <= MAX_PAIRED_LEFTOVERS) {
      // Same number left on each side: most likely the same elements, changed. Pair them in
      // their order and report the changed fields rather than whole elements.
      for (int k = missing.size() - 1; k >= 0; k--) {
        int i = missing.get(k);
        stack.push(
            new Task(
                t.expected.get(i),
                t.actual.get(extra.get(k)),
                t.loc.child(i),
                advance(t.ignore, i)));
      }
      return;
    }
    for (int i : missing) {
      out.add(diff(t.loc.child(i), DifferenceType.MISSING, t.expected.get(i), null));
    }
    for (int i : extra) {
      out.add(diff(t.loc.child(i), DifferenceType.EXTRA, null, t.actual.get(i)));
    }
  }

  private void keyed(Task t, String key, ArrayDeque<Object> stack, List<Difference> out) {
    Map<String, ArrayDeque<Integer>> actualByKey = new HashMap<>();
    for (int i = 0; i < t.actual.size(); i++) {
      actualByKey.computeIfAbsent(keyOf(t.actual.get(i), key), k -> new ArrayDeque<>()).add(i);
    }
    List<Task> matched = new ArrayList<>();
    for (int i = 0; i < t.expected.size(); i++) {
      ArrayDeque<Integer> q = actualByKey.get(keyOf(t.expected.get(i), key));
      Integer j = q == null ? null : q.poll();
      if (j == null) {
        out.add(diff(t.loc.child(i), DifferenceType.MISSING, t.expected.get(i), null));
      } else {
        matched.add(
            new Task(t.expected.get(i), t.actual.get(j), t.loc.child(i), advance(t.ignore, i)));
      }
    }
    List<Integer> extra = new ArrayList<>();
    for (ArrayDeque<Integer> q : actualByKey.values()) {
      extra.addAll(q);
    }
    extra.sort(null);
    for (int j : extra) {
      out.add(diff(t.loc.child(j), DifferenceType.EXTRA, null, t.actual.get(j)));
    }
    for (int k = matched.size() - 1; k >= 0; k--) {
      stack.push(matched.get(k));
    }
  }

  /** The key of an element: the canonical form of its key member (elements without one share a key). */
  private String keyOf(JsonNode element, String key) {
    JsonNode k = element.isObject() ? element.get(key) : null;
    // under lenientTypes an id "7" finds the element whose id is 7
    return k == null
        ? "\u0000absent"
        : Canonical.of(k, Loc.ROOT, options.lenientTypes() ? this : null);
  }

  /** The ignore states of a child; null when no pattern can match at or below it. */
  private long[] advance(long[] states, Object element) {
    if (states == null) {
      return null;
    }
    long[] next = new long[states.length];
    boolean alive = false;
    for (int i = 0; i < states.length; i++) {
      next[i] = options.ignore().get(i).advance(states[i], element);
      alive |= next[i] != 0;
    }
    return alive ? next : null;
  }

  private boolean ignoredState(long[] states) {
    if (states == null) {
      return false;
    }
    for (int i = 0; i < states.length; i++) {
      if (options.ignore().get(i).accepts(states[i])) {
        return true;
      }
    }
    return false;
  }

  /** List-based check, for canonical forms of array elements (off the main path). */
  boolean ignored(Loc loc) {
    if (options.ignore().isEmpty()) {
      return false;
    }
    List<Object> list = loc.toList();
    for (JsonPath p : options.ignore()) {
      if (p.matches(list)) {
        return true;
      }
    }
    return false;
  }

  boolean treatNullAsAbsent() {
    return options.treatNullAsAbsent();
  }

  private boolean unordered(Loc loc) {
    if (options.unorderedArrays().isEmpty()) {
      return false;
    }
    List<Object> list = loc.toList();
    for (JsonPath p : options.unorderedArrays()) {
      if (p.matchesExactly(list)) {
        return true;
      }
    }
    return false;
  }

  private String keyFor(Loc loc) {
    if (options.keyedArrays().isEmpty()) {
      return null;
    }
    List<Object> list = loc.toList();
    for (Map.Entry<JsonPath, String> k : options.keyedArrays().entrySet()) {
      if (k.getKey().matchesExactly(list)) {
        return k.getValue();
      }
    }
    return null;
  }

  private static Difference diff(Loc loc, DifferenceType type, JsonNode expected, JsonNode actual) {
    List<Object> list = loc.toList();
    return new Difference(
        JsonPath.render(list),
        JsonPath.collapse(list),
        type,
        expected == null ? null : Render.abbreviate(expected, MAX_RENDERED),
        actual == null ? null : Render.abbreviate(actual, MAX_RENDERED));
  }

  /** A JSON number literal, as a string may hold one under lenientTypes. */
  private static final Pattern JSON_NUMBER =
      Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?");

  /** lenientTypes: a string holding a number or a boolean equals that number or boolean. */
  private boolean lenientlyEqual(JsonNode e, JsonNode a) {
    JsonNode text = e.isTextual() ? e : a.isTextual() ? a : null;
    JsonNode other = text == e ? a : e;
    if (text == null) {
      return false;
    }
    BigDecimal n = lenientNumber(text.textValue());
    if (other.isNumber() && n != null) {
      BigDecimal ev = text == e ? n : e.decimalValue();
      BigDecimal av = text == a ? n : a.decimalValue();
      return options.tolerance().accepts(ev, av);
    }
    return other.isBoolean() && text.textValue().equals(other.asText());
  }

  /** The number a string holds (a JSON number literal), or null. */
  static BigDecimal lenientNumber(String s) {
    if (s.isEmpty() || s.length() > 400) {
      return null;
    }
    char c = s.charAt(0); // most strings are no number: tell without a matcher
    if (c != '-' && (c < '0' || c > '9') || !JSON_NUMBER.matcher(s).matches()) {
      return null;
    }
    try {
      return new BigDecimal(s);
    } catch (NumberFormatException ex) {
      return null;
    }
  }

  boolean lenientTypes() {
    return options.lenientTypes();
  }

  /** Normalises numbers so that 1, 1.0 and 1E+0 compare equal, as BigDecimal comparison does. */
  static String number(BigDecimal d) {
    return d.signum() == 0 ? "0" : d.stripTrailingZeros().toString();
  }
}
