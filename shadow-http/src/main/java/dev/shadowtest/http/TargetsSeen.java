package dev.shadowtest.http;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What a sender learnt of its targets (by {@code host:port}): which answered at least once, and
 * which asked for a client certificate in a TLS handshake, and which of those require it. A TLS
 * 1.3 server that refuses the client's certificate (or its absence) does so after the client's
 * side of the handshake is over: the client sees the connection closed, often without the alert.
 * A server that only wants a certificate asks alike, and may close a connection for reasons of its
 * own: a {@link ClientCertificateProbe} tells the two apart.
 */
final class TargetsSeen {

  private final Set<String> answered = ConcurrentHashMap.newKeySet();

  /** Servers that asked for a client certificate: whether one was offered, the last time. */
  private final Map<String, Boolean> askedForCertificate = new ConcurrentHashMap<>();

  /**
   * The server at {@code host:port} asked for a client certificate, and the client {@code offered}
   * one or not (told by the key manager).
   */
  void askedForCertificate(String host, int port, boolean offered) {
    String key = host + ":" + port;
    if (!Boolean.valueOf(offered).equals(askedForCertificate.get(key))) {
      askedForCertificate.put(key, offered);
    }
  }

  /** Per {@code host:port}: whether it requires the client certificate it asked for (probed once). */
  private final Map<String, CompletableFuture<ClientCertificateProbe.Requirement>> requirements =
      new ConcurrentHashMap<>();

  /**
   * Whether the target of {@code base} requires the client certificate it asked for (or refuses
   * its absence): {@code probe} finds out the first time, later calls share its answer.
   */
  CompletableFuture<ClientCertificateProbe.Requirement> certificateRequirement(
      URI base, Supplier<CompletableFuture<ClientCertificateProbe.Requirement>> probe) {
    return requirements.computeIfAbsent(key(base), k -> probe.get());
  }

  /** The target of {@code base} answered. */
  void answered(URI base) {
    String key = key(base);
    if (!answered.contains(key)) {
      answered.add(key);
    }
  }

  /** True when the target of {@code base} never answered yet. */
  boolean neverAnswered(URI base) {
    return !answered.contains(key(base));
  }

  /** True when the target of {@code base} asked for a client certificate. */
  boolean askedForCertificate(URI base) {
    return askedForCertificate.containsKey(key(base));
  }

  /** True when the target of {@code base} asked for a client certificate and was offered one. */
  boolean offeredCertificate(URI base) {
    return Boolean.TRUE.equals(askedForCertificate.get(key(base)));
  }

  /** {@code host:port}, the port made explicit as the TLS engine names its peer. */
  static String key(URI base) {
    int port = base.getPort() > 0 ? base.getPort() : "https".equals(base.getScheme()) ? 443 : 80;
    return base.getHost() + ":" + port;
  }
}
