package dev.shadowtest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trust and client certificate files: read at once, and refused with the flag and file named. */
class ConnectionsTests {

  @TempDir Path dir;

  static final TestCertificates CERTS = TestCertificates.get();

  @Test
  void theDefaultsTrustTheJdkAndSpeakHttp11() {
    Connections c = Connections.defaults();
    assertThat(c.trusted()).isEmpty();
    assertThat(c.insecure()).isFalse();
    assertThat(c.clientCertificate()).isNull();
    assertThat(c.http2()).isFalse();
  }

  @Test
  void aCaCertFileAddsItsCertificates() {
    Connections c = Connections.defaults().withCaCert(CERTS.caCert()).withHttp2(true);
    assertThat(c.trusted()).containsExactly(CERTS.ca());
    assertThat(c.http2()).isTrue();
    assertThat(c.toString()).contains("trusted=1 extra certificate(s)");
  }

  @Test
  void aCaCertIsTrustedBesideTheJdksOwnAnchorsNotInsteadOfThem() throws Exception {
    TrustManagerFactory jdk =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    jdk.init((KeyStore) null);
    X509Certificate[] jdkAnchors = x509(jdk.getTrustManagers()).getAcceptedIssuers();
    assumeTrue(jdkAnchors.length > 0, "this JDK trusts no CA of its own");
    X509Certificate[] accepted =
        x509(Connections.defaults().withCaCert(CERTS.caCert()).trustManagers())
            .getAcceptedIssuers();
    // e.g. ISRG Root X1 (Let's Encrypt) of the JDK's cacerts, and the internal CA
    assertThat(accepted).contains(jdkAnchors).contains(CERTS.ca());
    assertThat(accepted).hasSize(jdkAnchors.length + 1);
    assertThat(Connections.defaults().trustManagers())
        .as("without --ca-cert: the JDK's own trust manager")
        .isNull();
  }

  static X509TrustManager x509(TrustManager[] managers) {
    for (TrustManager m : managers) {
      if (m instanceof X509TrustManager x) {
        return x;
      }
    }
    throw new AssertionError("no X.509 trust manager");
  }

  @Test
  void aClientCertificateIsNeverPrintedWithItsKey() {
    Connections c =
        Connections.defaults()
            .withClientCertificate(CERTS.client().certificate(), CERTS.client().key());
    assertThat(c.clientCertificate().chain()).hasSize(2);
    assertThat(c.toString()).contains("CN=shadow-replay").doesNotContain("private");
  }

  @Test
  void insecureWithACaCertIsAContradiction() {
    assertThatThrownBy(() -> Connections.defaults().withCaCert(CERTS.caCert()).withInsecure(true))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("--insecure and --ca-cert contradict each other");
  }

  @Test
  void badFilesAreNamedWithTheirFlag() throws Exception {
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> Connections.defaults().withCaCert(missing))
        .isInstanceOf(BadInputException.class)
        .hasMessage("--ca-cert " + missing + ": no such file");
    assertThatThrownBy(() -> Connections.defaults().withCaCert(CERTS.client().key()))
        .hasMessageStartingWith("--ca-cert " + CERTS.client().key() + ": no PEM certificate")
        .hasMessageContaining("this looks like a private key");
    assertThatThrownBy(
            () ->
                Connections.defaults()
                    .withClientCertificate(CERTS.client().key(), CERTS.client().key()))
        .hasMessageStartingWith("--client-cert " + CERTS.client().key());
    assertThatThrownBy(
            () ->
                Connections.defaults()
                    .withClientCertificate(CERTS.client().certificate(), CERTS.caCert()))
        .hasMessageStartingWith("--client-key " + CERTS.caCert() + ": no PEM private key")
        .hasMessageContaining("this looks like a certificate");
    Path traditional = dir.resolve("rsa.key");
    Files.writeString(traditional, TestCertificates.pem("RSA PRIVATE KEY", new byte[] {1, 2, 3}));
    assertThatThrownBy(
            () ->
                Connections.defaults()
                    .withClientCertificate(CERTS.client().certificate(), traditional))
        .hasMessageContaining("--client-key " + traditional)
        .hasMessageContaining("convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in");
    Path encrypted = dir.resolve("enc.key");
    Files.writeString(
        encrypted, TestCertificates.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
    assertThatThrownBy(
            () ->
                Connections.defaults()
                    .withClientCertificate(CERTS.client().certificate(), encrypted))
        .hasMessageContaining("the key is encrypted");
    assertThatThrownBy(
            () ->
                Connections.defaults()
                    .withClientCertificate(CERTS.client().certificate(), CERTS.server().key()))
        .hasMessageStartingWith("--client-key " + CERTS.server().key())
        .hasMessageContaining(
            "does not belong to the certificate in " + CERTS.client().certificate());
  }
}
