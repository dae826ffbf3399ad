package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class HeaderNamesTests {

  /** Letters that fold in unusual ways: the Kelvin sign is k, the dotless i, the long s. */
  private static final String ALPHABET = "aAbBkKsSiIzZ-_0\u212a\u0131\u0130\u017f\u00e9\u00c9";

  @Test
  void containsIsTheCaseInsensitiveOrderOfATreeSet() {
    Random random = new Random(11);
    for (int set = 0; set < 300; set++) {
      List<String> names = new ArrayList<>();
      boolean asciiOnly = set % 2 == 0;
      for (int i = random.nextInt(12); i > 0; i--) {
        names.add(name(random, asciiOnly));
      }
      Set<String> expected = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
      expected.addAll(names);
      HeaderNames actual = HeaderNames.of(names);
      assertThat(actual).hasSize(expected.size());
      for (int probe = 0; probe < 200; probe++) {
        String p =
            probe % 3 == 0 && !names.isEmpty()
                ? flip(random, names.get(probe % names.size()))
                : name(random, probe % 4 == 1);
        assertThat(actual.contains(p)).as("%s in %s", p, names).isEqualTo(expected.contains(p));
        int at = actual.indexOf(p);
        List<String> order = List.copyOf(actual);
        assertThat(at >= 0 ? order.get(at) : null)
            .as("%s in %s", p, names)
            .isEqualTo(
                order.stream()
                    .filter(x -> String.CASE_INSENSITIVE_ORDER.compare(x, p) == 0)
                    .findFirst()
                    .orElse(null));
      }
    }
  }

  @Test
  void keepsTheFirstSpellingInTheOrderGiven() {
    HeaderNames h = HeaderNames.of("X-B", "x-a", "X-A", "Connection");
    assertThat(h).containsExactly("X-B", "x-a", "Connection");
    assertThat(h.contains("CONNECTION")).isTrue();
    assertThat(h.contains("connectio")).isFalse();
    assertThat(h.contains((Object) 7)).isFalse();
    assertThat(h).isEqualTo(Set.of("X-B", "x-a", "Connection"));
    assertThat(HeaderNames.of()).isEmpty();
    assertThat(HeaderNames.of().contains("a")).isFalse();
  }

  @Test
  void aNonAsciiNameCanEqualAnAsciiOneInAnyCase() {
    assertThat(HeaderNames.of("\u212aeep-Alive").contains("keep-alive")).isTrue();
    assertThat(HeaderNames.of("keep-alive").contains("\u212aeep-Alive")).isTrue();
  }

  @Test
  void isImmutable() {
    HeaderNames h = HeaderNames.of("a");
    assertThatThrownBy(() -> h.add("b")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> h.remove("a")).isInstanceOf(UnsupportedOperationException.class);
  }

  private static String name(Random random, boolean asciiOnly) {
    int bound = asciiOnly ? 15 : ALPHABET.length();
    StringBuilder b = new StringBuilder();
    for (int i = random.nextInt(4); i >= 0; i--) {
      b.append(ALPHABET.charAt(random.nextInt(bound)));
    }
    return b.toString();
  }

  /** {@code s} with the case of some letters changed. */
  private static String flip(Random random, String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
    }
    return b.toString();
  }

  @Test
  void aTokenIsWhatRfc9110AllowsInAHeaderName() {
    for (String ok : new String[] {"Content-Type", "x", "X_Y.z", "!#$%&'*+-.^_`|~09azAZ"}) {
      assertThat(HeaderNames.isToken(ok)).as(ok).isTrue();
    }
    for (String bad :
        new String[] {
          "", "bad name", "X:Y", "X-\u00dc", "a\tb", "a\"b", "(c)", "a/b", "a\u007f", "{x}"
        }) {
      assertThat(HeaderNames.isToken(bad)).as(bad).isFalse();
    }
  }
}
