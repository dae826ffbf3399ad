package dev.shadowtest.http;

import dev.shadowtest.core.BadInputException;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;

/**
 * How the {@link Sender} connects to its targets: which servers it trusts over HTTPS, the client
 * certificate it shows a server that asks for one, and whether it speaks HTTP/2. Immutable: {@link
 * #defaults()}, then {@code with...}. Files are read when they are given, and a bad one is refused
 * at once ({@link BadInputException}) naming the option and the file.
 *
 * <pre>{@code
 * Connections c = Connections.defaults()
 *     .withCaCert(Path.of("internal-ca.pem"))
 *     .withClientCertificate(Path.of("client.crt"), Path.of("client.key"))
 *     .withHttp2(true);
 * }</pre>
 *
 * <p>Trust: the JDK's default trust store, plus the certificates of {@code --ca-cert} (in
 * addition, not instead: a run whose primary has a public certificate and whose candidate has one
 * of an internal CA needs both). Host names are verified against the certificate unless {@code
 * --insecure}, which trusts any certificate for any host. Uses only HttpClient API of 5.2 and
 * later.
 *
 * @param trusted certificates trusted in addition to the JDK's defaults ({@code --ca-cert})
 * @param insecure trust any certificate and skip host name verification ({@code --insecure})
 * @param clientCertificate the certificate chain and key shown to a server that asks for one, or
 *     null
 * @param http2 speak HTTP/2: {@code h2} by ALPN to https URLs, {@code h2c} with prior knowledge to
 *     http URLs; a target that does not speak it fails. Otherwise HTTP/1.1 only.
 */
public record Connections(
    List<X509Certificate> trusted,
    boolean insecure,
    ClientCertificate clientCertificate,
    boolean http2) {

  /**
   * A client certificate: its chain (the client's own certificate first) and its private key.
   * Never printed with its key.
   */
  public record ClientCertificate(List<X509Certificate> chain, PrivateKey key) {
    public ClientCertificate {
      chain = List.copyOf(chain);
      if (chain.isEmpty()) {
        throw new BadInputException("a client certificate needs at least one certificate");
      }
      Objects.requireNonNull(key, "key");
    }

    /**
     * Reads a PEM certificate chain ({@code --client-cert}) and its PEM PKCS#8 private key ({@code
     * --client-key}), and checks that they belong together.
     */
    public static ClientCertificate read(Path certificate, Path key) {
      return read(certificate, key, "--client-cert", "--client-key");
    }

    /** As {@link #read(Path, Path)}; errors name the files by these options. */
    public static ClientCertificate read(
        Path certificate, Path key, String certificateOption, String keyOption) {
      List<X509Certificate> chain = PemFiles.certificates(certificate, certificateOption);
      PrivateKey k = PemFiles.privateKey(key, keyOption);
      if (!PemFiles.belongTogether(k, chain.get(0).getPublicKey())) {
        throw new BadInputException(
            keyOption
                + " "
                + key
                + ": this key does not belong to the certificate in "
                + certificate
                + " (its first certificate must be the client's own)");
      }
      return new ClientCertificate(chain, k);
    }

    @Override
    public String toString() {
      return "ClientCertificate[" + chain.get(0).getSubjectX500Principal().getName() + "]";
    }
  }

  public Connections {
    trusted = List.copyOf(trusted);
    if (insecure && !trusted.isEmpty()) {
      throw new BadInputException(
          "--insecure and --ca-cert contradict each other: --insecure trusts any certificate;"
              + " give --ca-cert alone to trust your CA and still verify");
    }
  }

  /** The JDK's trust store, no client certificate, HTTP/1.1. */
  public static Connections defaults() {
    return new Connections(List.of(), false, null, false);
  }

  /** Also trusts the PEM certificates of {@code file} (an internal CA), as {@code --ca-cert}. */
  public Connections withCaCert(Path file) {
    return withCaCert(file, "--ca-cert");
  }

  /** As {@link #withCaCert(Path)}; errors name the file by {@code option}. */
  public Connections withCaCert(Path file, String option) {
    List<X509Certificate> all = new ArrayList<>(trusted);
    all.addAll(PemFiles.certificates(file, option));
    return new Connections(all, insecure, clientCertificate, http2);
  }

  /** Trusts any certificate for any host name ({@code --insecure}): for test systems only. */
  public Connections withInsecure(boolean on) {
    return new Connections(trusted, on, clientCertificate, http2);
  }

  /** Shows this client certificate to servers that ask for one. */
  public Connections withClientCertificate(ClientCertificate c) {
    return new Connections(trusted, insecure, c, http2);
  }

  /** As {@link #withClientCertificate(ClientCertificate)}, read from PEM files. */
  public Connections withClientCertificate(Path certificate, Path key) {
    return withClientCertificate(ClientCertificate.read(certificate, key));
  }

  /** Speaks HTTP/2 ({@code h2} over TLS by ALPN, {@code h2c} with prior knowledge otherwise). */
  public Connections withHttp2(boolean on) {
    return new Connections(trusted, insecure, clientCertificate, on);
  }

  @Override
  public String toString() {
    return "Connections[trusted="
        + trusted.size()
        + " extra certificate(s), insecure="
        + insecure
        + ", clientCertificate="
        + clientCertificate
        + ", http2="
        + http2
        + "]";
  }

  /**
   * The TLS context of these settings. Its key manager tells {@code seen} which servers ask for a
   * client certificate (see {@link TargetsSeen}), with or without one to give.
   */
  SSLContext sslContext(TargetsSeen seen) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          new KeyManager[] {new WatchingKeyManager(clientKeyManager(), seen)},
          trustManagers(),
          new SecureRandom());
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new BadInputException("cannot set up TLS with these certificates: " + e.getMessage());
    }
  }

  /** The TLS strategy of these settings, over {@code context} (of {@link #sslContext}). */
  TlsStrategy tlsStrategy(SSLContext context) {
    ClientTlsStrategyBuilder tls = ClientTlsStrategyBuilder.create().setSslContext(context);
    if (insecure) {
      tls.setHostnameVerifier(NoopHostnameVerifier.INSTANCE);
    }
    return tls.build();
  }

  /** The JDK's key manager of the client certificate, or null without one. */
  private X509KeyManager clientKeyManager() throws GeneralSecurityException, IOException {
    if (clientCertificate == null) {
      return null;
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] none = new char[0];
    store.setKeyEntry(
        "client",
        clientCertificate.key(),
        none,
        clientCertificate.chain().toArray(new Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, none);
    for (KeyManager km : kmf.getKeyManagers()) {
      if (km instanceof X509KeyManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("the JDK made no X.509 key manager");
  }

  /**
   * The trust managers of these settings: null for the JDK's own, one that trusts anything with
   * {@code --insecure}, else the JDK's PKIX manager over the JDK's anchors and the given ones.
   */
  TrustManager[] trustManagers() throws GeneralSecurityException, IOException {
    if (insecure) {
      return new TrustManager[] {new TrustingAnything()};
    }
    if (trusted.isEmpty()) {
      return null; // the JDK's
    }
    // the JDK's trust anchors and the given certificates, in one store checked by the JDK's own
    // PKIX trust manager
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    int i = 0;
    TrustManagerFactory jdk =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    jdk.init((KeyStore) null);
    for (TrustManager tm : jdk.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) {
        for (X509Certificate c : x.getAcceptedIssuers()) {
          store.setCertificateEntry("jdk-" + i++, c);
        }
      }
    }
    for (X509Certificate c : trusted) {
      store.setCertificateEntry("ca-cert-" + i++, c);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    return tmf.getTrustManagers();
  }

  /**
   * The client side's key manager: offers the client certificate (if any) as the JDK's would, and
   * tells which servers asked for one.
   */
  private static final class WatchingKeyManager extends X509ExtendedKeyManager {
    private final X509KeyManager client;
    private final TargetsSeen seen;

    WatchingKeyManager(X509KeyManager client, TargetsSeen seen) {
      this.client = client;
      this.seen = seen;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      String alias =
          client == null
              ? null
              : client instanceof X509ExtendedKeyManager x
                  ? x.chooseEngineClientAlias(keyType, issuers, engine)
                  : client.chooseClientAlias(keyType, issuers, null);
      if (engine != null && engine.getPeerHost() != null) {
        seen.askedForCertificate(engine.getPeerHost(), engine.getPeerPort(), alias != null);
      }
      return alias;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return client == null ? null : client.chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return client == null ? null : client.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return client == null ? null : client.getPrivateKey(alias);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return client == null ? null : client.getClientAliases(keyType, issuers);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }

  /**
   * Accepts every server certificate. Extended, so that the JDK does not wrap it with checks of
   * its own (host name identification among them).
   */
  private static final class TrustingAnything extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
