package dev.shadowtest.recorder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.junit.jupiter.api.Test;

/**
 * {@link HeaderFilter} gives the answers of the case-insensitive sorted sets it replaced (the
 * reference here), on names and {@code Connection} values made to tell them apart: every case,
 * characters that {@code equalsIgnoreCase} folds (the long s, the Kelvin sign), names one character
 * off, and tokens with whitespace, empty ones and several headers.
 */
class HeaderFilterTests {

  private static final List<String> HOP_BY_HOP =
      List.of(
          "Connection",
          "Keep-Alive",
          "Proxy-Connection",
          "Proxy-Authenticate",
          "Proxy-Authorization",
          "TE",
          "Trailer",
          "Transfer-Encoding",
          "Upgrade",
          "Content-Length");

  private static final List<String> OTHERS =
      List.of(
          "Expect",
          "Host",
          "Content-Type",
          "Accept",
          "X-Trace",
          "Date",
          "Server",
          "ETag",
          "Cookie",
          "Authorization",
          "Transfer-Encodings",
          "Keep-Alivе"); // a Cyrillic e: not folded

  private static Set<String> caseInsensitive(List<String> names) {
    Set<String> s = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    s.addAll(names);
    return s;
  }

  /** A variant of {@code name}: cases flipped, a letter folded to its odd form, or one changed. */
  private static String variant(String name, Random random) {
    StringBuilder b = new StringBuilder();
    for (char c : name.toCharArray()) {
      int roll = random.nextInt(20);
      if (c == 's' || c == 'S') {
        b.append(roll < 3 ? 'ſ' : roll < 10 ? 's' : 'S');
      } else if (c == 'k' || c == 'K') {
        b.append(roll < 3 ? 'K' : roll < 10 ? 'k' : 'K');
      } else if (roll == 0) {
        b.append((char) (c + 1)); // one character off
      } else {
        b.append(roll < 10 ? Character.toLowerCase(c) : Character.toUpperCase(c));
      }
    }
    if (random.nextInt(30) == 0) {
      b.append(random.nextBoolean() ? "x" : " ");
    }
    return b.toString();
  }

  private static String name(Random random) {
    List<String> from = random.nextBoolean() ? HOP_BY_HOP : OTHERS;
    return variant(from.get(random.nextInt(from.size())), random);
  }

  @Test
  void hopByHopAndRequestOnlyAnswerAsTheSortedSetsDid() {
    Set<String> hop = caseInsensitive(HOP_BY_HOP);
    Set<String> expect = caseInsensitive(List.of("Expect"));
    Random random = new Random(18);
    int hops = 0;
    int expects = 0;
    for (int i = 0; i < 200_000; i++) {
      String n = name(random);
      assertThat(HeaderFilter.hopByHop(n)).as(n).isEqualTo(hop.contains(n));
      assertThat(HeaderFilter.requestOnly(n)).as(n).isEqualTo(expect.contains(n));
      hops += hop.contains(n) ? 1 : 0;
      expects += expect.contains(n) ? 1 : 0;
    }
    // both answers are common, so the comparison is not one-sided
    assertThat(hops).isBetween(40_000, 160_000);
    assertThat(expects).isGreaterThan(1_000);
    for (String n : HOP_BY_HOP) {
      assertThat(HeaderFilter.hopByHop(n)).as(n).isTrue();
      assertThat(HeaderFilter.hopByHop(n.toLowerCase())).as(n).isTrue();
    }
  }

  /** What the proxy did before: the tokens of every value, split at commas and stripped. */
  private static Set<String> reference(List<String> values) {
    Set<String> out = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (String v : values) {
      for (String token : v.split(",")) {
        out.add(token.strip());
      }
    }
    return out;
  }

  @Test
  void theNamesThatConnectionListsAreTheOnesTheSortedSetHeld() {
    Random random = new Random(7230);
    String[] spaces = {"", " ", "  ", "\t", " \t "};
    int listedSeen = 0;
    for (int i = 0; i < 20_000; i++) {
      BasicHttpResponse message = new BasicHttpResponse(200);
      List<String> values = new ArrayList<>();
      int headers = random.nextInt(4);
      for (int h = 0; h < headers; h++) {
        StringBuilder v = new StringBuilder();
        int tokens = random.nextInt(7);
        for (int t = 0; t < tokens; t++) {
          if (t > 0) {
            v.append(',');
          }
          v.append(spaces[random.nextInt(spaces.length)]);
          if (random.nextInt(8) > 0) {
            v.append(name(random));
          }
          v.append(spaces[random.nextInt(spaces.length)]);
        }
        values.add(v.toString());
        message.addHeader(random.nextBoolean() ? "Connection" : "connection", v.toString());
      }
      message.addHeader("Content-Type", "application/json");
      Set<String> expected = reference(values);
      String[] listed = HeaderFilter.connectionListed(message);
      assertThat(listed == null).isEqualTo(headers == 0);
      for (int probe = 0; probe < 10; probe++) {
        String n = name(random);
        boolean want = expected.contains(n);
        assertThat(HeaderFilter.listed(listed, n)).as("%s in %s", n, values).isEqualTo(want);
        listedSeen += want ? 1 : 0;
      }
      for (String token : expected) {
        if (!token.isEmpty()) {
          assertThat(HeaderFilter.listed(listed, token)).as("%s in %s", token, values).isTrue();
        }
      }
    }
    assertThat(listedSeen).isGreaterThan(5_000);
  }
}
