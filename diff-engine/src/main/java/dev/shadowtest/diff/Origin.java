package dev.shadowtest.diff;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The addresses a response was produced under: the base URL its request was sent to and the
 * {@code Host} it carried. Each instance of a service builds absolute URLs ({@code Link},
 * {@code Location}, {@code Content-Location}, URLs in bodies) from its own address, so two
 * instances that differ only in their address would differ in every such field. Before
 * comparing, {@link DiffEngine} replaces the addresses of both sides by one placeholder
 * ({@value #URL_PLACEHOLDER} for {@code scheme://authority}, {@value #HOST_PLACEHOLDER} for an
 * authority alone), unless the rules say {@code normalizeOrigins: false}.
 *
 * <pre>{@code
 * Origin candidate = Origin.of(URI.create("http://127.0.0.1:8080"), "127.0.0.1:8080");
 * Origin recorded = Origin.recorded("api.example.com");   // the recorded request's Host
 * }</pre>
 *
 * @param urls        {@code scheme://authority} prefixes, lower-case scheme, no trailing slash
 * @param authorities {@code host[:port]} strings
 */
public record Origin(List<String> urls, List<String> authorities) {

  /** What a base URL becomes in compared values. */
  public static final String URL_PLACEHOLDER = "{origin}";

  /** What a bare authority ({@code host:port}) becomes in compared values. */
  public static final String HOST_PLACEHOLDER = "{host}";

  /** No address known: nothing is normalised for this side. */
  public static final Origin NONE = new Origin(List.of(), List.of());

  public Origin {
    urls = List.copyOf(urls);
    authorities = List.copyOf(authorities);
  }

  /**
   * The origin of a live target: its base URL and the Host header it was sent (null when the
   * target's own authority was sent).
   */
  public static Origin of(URI base, String hostSent) {
    String scheme = base.getScheme() == null ? "http" : base.getScheme().toLowerCase(Locale.ROOT);
    Set<String> hosts = new LinkedHashSet<>();
    if (base.getRawAuthority() != null) {
      hosts.add(base.getRawAuthority());
      int defaultPort = scheme.equals("https") ? 443 : 80;
      if (base.getPort() == defaultPort && base.getHost() != null) {
        hosts.add(base.getHost()); // http://h:80 builds URLs as http://h
      }
    }
    if (hostSent != null && !hostSent.isBlank()) {
      hosts.add(hostSent.strip());
    }
    List<String> urls = new ArrayList<>();
    for (String h : hosts) {
      urls.add(scheme + "://" + h);
    }
    return new Origin(urls, List.copyOf(hosts));
  }

  /**
   * The origin of a recorded response: the recorded request's Host (null or blank when unknown).
   * The scheme the legacy system was reached by is not recorded, so both are normalised.
   */
  public static Origin recorded(String host) {
    if (host == null || host.isBlank()) {
      return NONE;
    }
    String h = host.strip();
    return new Origin(List.of("http://" + h, "https://" + h), List.of(h));
  }

  public boolean isEmpty() {
    return urls.isEmpty() && authorities.isEmpty();
  }
}
