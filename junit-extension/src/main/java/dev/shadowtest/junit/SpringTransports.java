package dev.shadowtest.junit;

import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.replay.Transport;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Which in-process candidates the classpath allows ({@code MockMvc} needs Spring MVC and the
 * Servlet API, {@code WebTestClient} Spring WebFlux), and the adapters for values a test hands
 * over with {@code @ShadowCandidate}. Names classes by strings only.
 */
final class SpringTransports {

  private SpringTransports() {}

  private static boolean present(String... classes) {
    try {
      for (String c : classes) {
        Class.forName(c, false, SpringTransports.class.getClassLoader());
      }
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static final boolean SERVLET =
      present(
          "org.springframework.test.web.servlet.MockMvc",
          "org.springframework.web.servlet.DispatcherServlet",
          "jakarta.servlet.http.HttpServletRequest");
  private static final boolean REACTIVE =
      present(
          "org.springframework.test.web.reactive.server.WebTestClient",
          "org.springframework.web.reactive.function.client.WebClient");

  static boolean servlet() {
    return SERVLET;
  }

  static boolean reactive() {
    return REACTIVE;
  }

  /**
   * A transport for a {@code MockMvc} or {@code WebTestClient} instance, or null for any other
   * value; {@code timeout} bounds what the transport itself waits for (async results, responses).
   */
  static Transport of(Object value, Duration timeout) {
    if (value instanceof Transport t) {
      return t;
    }
    if (SERVLET && isA(value, "org.springframework.test.web.servlet.MockMvc")) {
      return MockMvcTransport.of(value, timeout);
    }
    if (REACTIVE && isA(value, "org.springframework.test.web.reactive.server.WebTestClient")) {
      return WebTestClientTransport.of(value, timeout);
    }
    return null;
  }

  private static boolean isA(Object value, String type) {
    for (Class<?> c = value.getClass(); c != null; c = c.getSuperclass()) {
      if (c.getName().equals(type)) {
        return true;
      }
      for (Class<?> i : c.getInterfaces()) {
        if (i.getName().equals(type)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The request's absolute URI on the host it is addressed to ({@code Host}, else localhost). */
  static URI uri(HttpRequest request) {
    String host = request.headers().first("Host").orElse("localhost");
    return URI.create("http://" + host + encoded(request.target()));
  }

  /**
   * A recorded target as a valid URI reference: characters a URI may not hold (space, {@code "},
   * {@code <}, {@code >}, {@code \}, {@code ^}, {@code `}, braces, {@code |}, controls, non-ASCII)
   * are percent-encoded as UTF-8, everything else, {@code %XX} escapes included, is kept. Over
   * HTTP such a target is sent as recorded; in-process this is the closest a URI can carry.
   */
  static String encoded(String target) {
    StringBuilder out = null;
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      boolean bad = c <= 0x20 || c >= 0x7f || "\"<>\\^`{|}".indexOf(c) >= 0;
      if (bad && out == null) {
        out = new StringBuilder(target.substring(0, i));
      }
      if (out != null) {
        if (bad) {
          int end = Character.isHighSurrogate(c) && i + 1 < target.length() ? i + 2 : i + 1;
          for (byte b : target.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
            out.append('%')
                .append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
          }
          i = end - 1;
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? target : out.toString();
  }

  /** Response headers in order, as the model holds them. */
  static Headers headers(List<String> namesAndValues) {
    return Headers.of(namesAndValues.toArray(String[]::new));
  }

  static List<String> pairs() {
    return new ArrayList<>();
  }
}
