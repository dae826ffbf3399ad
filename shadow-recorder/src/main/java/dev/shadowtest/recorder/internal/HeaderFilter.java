package dev.shadowtest.recorder.internal;

import java.util.Arrays;
import java.util.Iterator;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpMessage;

/**
 * The headers the proxy does not pass on, decided per header on the live path without a sorted
 * set or a string per call: names are told apart by their length first, then compared as {@link
 * String#CASE_INSENSITIVE_ORDER} compares them ({@link String#equalsIgnoreCase}). Public for
 * {@code HeaderFilterBenchmark} only.
 */
public final class HeaderFilter {

  private HeaderFilter() {}

  /**
   * Not forwarded either way: they describe one connection, not the message (RFC 9110 7.6.1), or
   * the framing, which is redone: {@code Connection}, {@code Keep-Alive}, {@code
   * Proxy-Connection}, {@code Proxy-Authenticate}, {@code Proxy-Authorization}, {@code TE}, {@code
   * Trailer}, {@code Transfer-Encoding}, {@code Upgrade}, {@code Content-Length}.
   */
  public static boolean hopByHop(String name) {
    switch (name.length()) {
      case 2:
        return name.equalsIgnoreCase("TE");
      case 7:
        return name.equalsIgnoreCase("Trailer") || name.equalsIgnoreCase("Upgrade");
      case 10:
        return name.equalsIgnoreCase("Connection") || name.equalsIgnoreCase("Keep-Alive");
      case 14:
        return name.equalsIgnoreCase("Content-Length");
      case 16:
        return name.equalsIgnoreCase("Proxy-Connection");
      case 17:
        return name.equalsIgnoreCase("Transfer-Encoding");
      case 18:
        return name.equalsIgnoreCase("Proxy-Authenticate");
      case 19:
        return name.equalsIgnoreCase("Proxy-Authorization");
      default:
        return false;
    }
  }

  /**
   * Not forwarded upstream: the proxy has already answered the client's {@code Expect:
   * 100-continue}, so the body follows at once (an upstream that never sends 100 would cost
   * seconds).
   */
  public static boolean requestOnly(String name) {
    return name.length() == 6 && name.equalsIgnoreCase("Expect");
  }

  /**
   * The names a message's {@code Connection} headers list (each comma-separated token, stripped;
   * empty ones list nothing), which are not forwarded either, followed by nulls; null when it has
   * no such header.
   */
  public static String[] connectionListed(HttpMessage message) {
    Iterator<Header> it = message.headerIterator("Connection");
    if (!it.hasNext()) {
      return null;
    }
    String[] out = new String[4];
    int n = 0;
    while (it.hasNext()) {
      String value = it.next().getValue();
      if (value == null) {
        continue;
      }
      int from = 0;
      while (from <= value.length()) {
        int comma = value.indexOf(',', from);
        int to = comma < 0 ? value.length() : comma;
        String token = value.substring(from, to).strip();
        from = to + 1;
        if (token.isEmpty()) {
          continue; // lists nothing
        }
        if (n == out.length) {
          out = Arrays.copyOf(out, n * 2);
        }
        out[n++] = token;
      }
    }
    return out;
  }

  /** True when {@code name} is among {@code listed} (from {@link #connectionListed}, or null). */
  public static boolean listed(String[] listed, String name) {
    if (listed != null) {
      for (String token : listed) {
        if (token == null) {
          break;
        }
        if (token.equalsIgnoreCase(name)) {
          return true;
        }
      }
    }
    return false;
  }
}
