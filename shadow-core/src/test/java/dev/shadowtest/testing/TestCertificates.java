package dev.shadowtest.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test certificate authority and certificates it signed, made at run time by the JDK's own
 * {@code keytool} (nothing to install), once per JVM, in a temporary directory removed at exit:
 * a server certificate for {@code 127.0.0.1} and {@code localhost}, one for another host name
 * only, and a client certificate. Files are PEM (certificate chains, PKCS#8 keys), as users give
 * them to Shadow.
 *
 * <pre>{@code
 * TestCertificates certs = TestCertificates.get();
 * LoopbackServer https = LoopbackServer.startHttps(4, certs.serverContext(certs.server(), false), handler);
 * // trusted by a client given certs.caCert()
 * }</pre>
 */
public final class TestCertificates {

  /** A certificate chain (leaf first, then the CA) and its key, as PEM files and in memory. */
  public record Identity(
      Path certificate, Path key, List<X509Certificate> chain, PrivateKey privateKey) {}

  private static final String PASSWORD = "changeit";

  private static TestCertificates instance;

  private final Path dir;
  private final Path caCert;
  private final X509Certificate ca;
  private final Identity server;
  private final Identity wrongHost;
  private final Identity client;

  /** The certificates of this JVM, made on first use (a few seconds: keytool runs 11 times). */
  public static synchronized TestCertificates get() {
    if (instance == null) {
      try {
        instance = new TestCertificates();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return instance;
  }

  private TestCertificates() throws IOException, GeneralSecurityException, InterruptedException {
    dir = Files.createTempDirectory("shadow-test-certs");
    Runtime.getRuntime().addShutdownHook(new Thread(this::delete, "test-certs-cleanup"));
    Path caStore = dir.resolve("ca.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=Shadow Test CA",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        caStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    ca = (X509Certificate) load(caStore).getCertificate("ca");
    caCert = dir.resolve("ca.crt");
    Files.writeString(caCert, pem("CERTIFICATE", ca.getEncoded()));
    server = signed("server", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost", caStore);
    wrongHost = signed("elsewhere", "CN=elsewhere.invalid", "SAN=dns:elsewhere.invalid", caStore);
    client = signed("client", "CN=shadow-replay", "EKU=clientAuth", caStore);
  }

  /** The CA's certificate, a PEM file: what {@code --ca-cert} is given. */
  public Path caCert() {
    return caCert;
  }

  /** The CA's certificate. */
  public X509Certificate ca() {
    return ca;
  }

  /** A server certificate for {@code 127.0.0.1} and {@code localhost}, signed by the CA. */
  public Identity server() {
    return server;
  }

  /** A server certificate for {@code elsewhere.invalid} only, signed by the CA. */
  public Identity wrongHost() {
    return wrongHost;
  }

  /** A client certificate signed by the CA. */
  public Identity client() {
    return client;
  }

  /** Where the files are (to write bad ones beside them). */
  public Path directory() {
    return dir;
  }

  /**
   * A server context presenting {@code identity}; with {@code clientsOfTheCa}, it trusts client
   * certificates the CA signed (for a server that requires one).
   */
  public SSLContext serverContext(Identity identity, boolean clientsOfTheCa) {
    return serverContext(identity, clientsOfTheCa ? ca : null);
  }

  /**
   * A server context presenting {@code identity} that trusts client certificates issued by {@code
   * clientAnchor} (or none when null).
   */
  public SSLContext serverContext(Identity identity, X509Certificate clientAnchor) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "server",
          identity.privateKey(),
          PASSWORD.toCharArray(),
          identity.chain().toArray(new Certificate[0]));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, PASSWORD.toCharArray());
      TrustManagerFactory tmf = null;
      if (clientAnchor != null) {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("anchor", clientAnchor);
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), new SecureRandom());
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A key pair in its own keystore, its certificate signed by the CA; written as PEM files. */
  private Identity signed(String name, String dname, String extension, Path caStore)
      throws IOException, GeneralSecurityException, InterruptedException {
    Path store = dir.resolve(name + ".p12");
    keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        dname,
        "-validity",
        "2",
        "-keystore",
        store.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    Path csr = dir.resolve(name + ".csr");
    keytool(
        "-certreq",
        "-alias",
        name,
        "-keystore",
        store.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        csr.toString());
    Path leaf = dir.resolve(name + ".leaf.crt");
    keytool(
        "-gencert",
        "-alias",
        "ca",
        "-keystore",
        caStore.toString(),
        "-storepass",
        PASSWORD,
        "-infile",
        csr.toString(),
        "-outfile",
        leaf.toString(),
        "-rfc",
        "-validity",
        "2",
        "-ext",
        extension);
    X509Certificate certificate;
    try (InputStream in = Files.newInputStream(leaf)) {
      certificate =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    PrivateKey key = (PrivateKey) load(store).getKey(name, PASSWORD.toCharArray());
    Path certFile = dir.resolve(name + ".crt");
    Files.writeString(
        certFile,
        pem("CERTIFICATE", certificate.getEncoded()) + pem("CERTIFICATE", ca.getEncoded()));
    Path keyFile = dir.resolve(name + ".key");
    Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
    return new Identity(certFile, keyFile, List.of(certificate, ca), key);
  }

  private static KeyStore load(Path store) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    return ks;
  }

  /** {@code der} as a PEM block of {@code type}. */
  public static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("keytool did not finish within 60 s: " + command);
    }
    if (p.exitValue() != 0) {
      throw new IOException("keytool failed (" + p.exitValue() + "): " + command + "\n" + out);
    }
  }

  private void delete() {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }
}
