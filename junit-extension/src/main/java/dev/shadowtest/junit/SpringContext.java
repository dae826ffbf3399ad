package dev.shadowtest.junit;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.replay.Transport;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * The test's Spring application context: placeholders from its {@link Environment} (test
 * properties, {@code @DynamicPropertySource}, {@code local.server.port}, system properties and
 * environment variables), the embedded server's port, and an in-process candidate when there is
 * no server. Loaded only when {@link Spring#manages} is true.
 */
final class SpringContext {

  private final ApplicationContext context;

  private SpringContext(ApplicationContext context) {
    this.context = context;
  }

  /** The context Spring's extension holds for this test (created if it is not yet). */
  static SpringContext of(ExtensionContext extensionContext) {
    return new SpringContext(SpringExtension.getApplicationContext(extensionContext));
  }

  /** {@code value} with its {@code ${name}} and {@code ${name:default}} resolved from the Environment. */
  String resolve(String attribute, String value) {
    if (!value.contains("${")) {
      return value;
    }
    try {
      return context.getEnvironment().resolveRequiredPlaceholders(value);
    } catch (IllegalArgumentException e) {
      String hint =
          value.contains("local.server.port")
              ? " (local.server.port exists only with @SpringBootTest(webEnvironment = RANDOM_PORT or DEFINED_PORT); in MOCK"
                  + " mode leave candidate empty and the replay goes through MockMvc)"
              : " (set it in the test's properties, @DynamicPropertySource, a system property or an environment variable,"
                  + " or write ${name:default})";
      throw new BadInputException(
          attribute
              + " = \""
              + value
              + "\": "
              + e.getMessage()
              + " of the test's Spring Environment"
              + hint,
          e);
    }
  }

  /**
   * The embedded server's base URL ({@code local.server.port}, with the servlet context path or
   * WebFlux base path), or null when the context runs no server (MOCK, slices).
   */
  URI server() {
    Environment env = context.getEnvironment();
    String port = env.getProperty("local.server.port");
    if (port == null || port.isBlank()) {
      return null;
    }
    String path =
        env.getProperty(
            "server.servlet.context-path", env.getProperty("spring.webflux.base-path", ""));
    // Spring Boot serves TLS when a key store or an SSL bundle is configured, unless disabled
    boolean ssl =
        !"false".equalsIgnoreCase(env.getProperty("server.ssl.enabled", "true"))
            && (env.getProperty("server.ssl.key-store") != null
                || env.getProperty("server.ssl.bundle") != null
                || env.getProperty("server.ssl.certificate") != null);
    String address = env.getProperty("server.address", "").strip();
    String host =
        address.isEmpty() || address.equals("0.0.0.0") || address.equals("::")
            ? "127.0.0.1"
            : address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
    return URI.create(
        (ssl ? "https" : "http")
            + "://"
            + host
            + ":"
            + port.strip()
            + (path == null ? "" : path.strip()));
  }

  /**
   * An in-process candidate for a context without a server: its {@code MockMvc} bean
   * ({@code @AutoConfigureMockMvc}, {@code @WebMvcTest}), else one built on the servlet web
   * application context, else its {@code WebTestClient} bean; null when there is none.
   */
  Transport inProcess(Duration timeout) {
    Transport t =
        SpringTransports.servlet() ? MockMvcTransport.fromContext(context, timeout) : null;
    if (t == null && SpringTransports.reactive()) {
      t = WebTestClientTransport.fromContext(context, timeout);
    }
    return t;
  }
}
