package dev.shadowtest.junit;

import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.replay.Transport;
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

  private static final boolean SERVLET = present("org.springframework.test.web.servlet.MockMvc",
      "org.springframework.web.servlet.DispatcherServlet", "jakarta.servlet.http.HttpServletRequest");
  private static final boolean REACTIVE = present("org.springframework.test.web.reactive.server.WebTestClient",
      "org.springframework.web.reactive.function.client.WebClient");

  static boolean servlet() {
    return SERVLET;
  }

  static boolean reactive() {
    return REACTIVE;
  }

  /** A transport for a {@code MockMvc} or {@code WebTestClient} instance, or null for any other value. */
  static Transport of(Object value) {
    if (value instanceof Transport t) {
      return t;
    }
    if (SERVLET && isA(value, "org.springframework.test.web.servlet.MockMvc")) {
      return MockMvcTransport.of(value);
    }
    if (REACTIVE && isA(value, "org.springframework.test.web.reactive.server.WebTestClient")) {
      return WebTestClientTransport.of(value);
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
  static java.net.URI uri(HttpRequest request) {
    String host = request.headers().first("Host").orElse("localhost");
    return java.net.URI.create("http://" + host + request.target());
  }

  /** Response headers in order, as the model holds them. */
  static Headers headers(List<String> namesAndValues) {
    return Headers.of(namesAndValues.toArray(String[]::new));
  }

  static List<String> pairs() {
    return new ArrayList<>();
  }
}
