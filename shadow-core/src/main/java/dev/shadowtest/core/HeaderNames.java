package dev.shadowtest.core;

import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable set of header names whose {@link #contains} ignores case, as HTTP compares names
 * ({@code Content-Type} is {@code content-type}), and allocates nothing: the live paths check
 * every header of every exchange against such sets (which are redacted, which are not copied,
 * which are not compared). Equal, for {@link #contains}, to a {@code TreeSet} ordered by {@link
 * String#CASE_INSENSITIVE_ORDER}; it iterates in the order the names were given (the first
 * spelling of a name is kept).
 *
 * <pre>{@code
 * HeaderNames hop = HeaderNames.of("Connection", "Keep-Alive");
 * hop.contains("connection");   // true
 * hop.contains("KEEP-ALIVE");   // true
 * }</pre>
 */
public final class HeaderNames extends AbstractSet<String> {

  private static final HeaderNames NONE = new HeaderNames(List.of());

  /** RFC 9110's tchar: the characters a header name (a token) is made of. */
  private static final boolean[] TCHAR = new boolean[128];

  static {
    for (char c = '!'; c <= '~'; c++) {
      TCHAR[c] = "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
  }

  /**
   * Whether {@code name} can be sent as a header name: a non-empty token (RFC 9110 5.1). A name
   * with a space, a colon or a character beyond ASCII would be read as another header, or as
   * none, by whatever receives it.
   */
  public static boolean isToken(String name) {
    int n = name.length();
    if (n == 0) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (c >= 128 || !TCHAR[c]) {
        return false;
      }
    }
    return true;
  }

  /** The names, each spelling once, in the order given. */
  private final List<String> names;

  /** The same names for lookups that are not plain ASCII on both sides (rare: names are tokens). */
  private final Set<String> folded = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

  /**
   * Buckets by length and first letter, when every name is ASCII; null otherwise (then every
   * lookup goes to {@link #folded}: a non-ASCII name such as one with the Kelvin sign can equal an
   * ASCII one in any case). {@code heads[bucket(name)]} is the position + 1 of the first name in
   * its bucket (0: none), {@code next[position]} that of the next one. Most names looked up are in
   * no set, and their bucket is empty: a miss costs one array read, no pass over the name.
   */
  private final int[] heads;

  private final int[] next;

  private HeaderNames(Collection<String> given) {
    boolean ascii = true;
    List<String> kept = new ArrayList<>(given.size());
    for (String n : given) {
      if (folded.add(n)) {
        kept.add(n);
        ascii &= isAscii(n);
      }
    }
    names = List.copyOf(kept);
    if (!ascii) {
      heads = null;
      next = null;
      return;
    }
    heads = new int[BUCKETS];
    next = new int[names.size()];
    for (int k = names.size() - 1; k >= 0; k--) { // each bucket in the names' order
      String n = names.get(k);
      int b = bucket(n, n.isEmpty() ? 0 : n.charAt(0));
      next[k] = heads[b];
      heads[b] = k + 1;
    }
  }

  private static final int BUCKETS = 1 << 10;

  /**
   * A name's bucket: its length and the low five bits of its first character, the same for both
   * cases of an ASCII letter.
   */
  private static int bucket(String name, char first) {
    return (name.length() & 31) << 5 | first & 31;
  }

  /** The set of {@code names}; of names equal in any case, the first spelling is kept. */
  public static HeaderNames of(Collection<String> names) {
    if (names instanceof HeaderNames h) {
      return h;
    }
    return names.isEmpty() ? NONE : new HeaderNames(names);
  }

  /** The set of {@code names}; of names equal in any case, the first spelling is kept. */
  public static HeaderNames of(String... names) {
    return of(List.of(names));
  }

  /** True when {@code name}, in any case, is one of these names; false for anything not a string. */
  @Override
  public boolean contains(Object o) {
    return o instanceof String name && indexOf(name) >= 0;
  }

  /**
   * The position of {@code name}, in any case, in this set's order (that of {@link #iterator}), or
   * -1 when it is none of these names: one lookup tells which of several groups of names a header
   * is in.
   */
  public int indexOf(String name) {
    int n = name.length();
    char first = n == 0 ? 0 : name.charAt(0);
    if (heads == null || first >= 0x80) {
      return folded.contains(name) ? slowIndexOf(name) : -1;
    }
    for (int k = heads[bucket(name, first)]; k != 0; k = next[k - 1]) {
      String s = names.get(k - 1);
      if (s.length() == n && s.regionMatches(true, 0, name, 0, n)) {
        return k - 1;
      }
    }
    return -1;
  }

  private int slowIndexOf(String name) {
    for (int i = 0; i < names.size(); i++) {
      if (String.CASE_INSENSITIVE_ORDER.compare(names.get(i), name) == 0) {
        return i;
      }
    }
    return -1; // not reached: folded holds the name
  }

  @Override
  public Iterator<String> iterator() {
    return names.iterator();
  }

  @Override
  public int size() {
    return names.size();
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
