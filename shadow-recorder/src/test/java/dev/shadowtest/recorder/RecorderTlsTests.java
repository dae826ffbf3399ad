package dev.shadowtest.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.testing.TestCertificates;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.Method;
import org.apache.hc.core5.http.nio.entity.StringAsyncEntityConsumer;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.impl.nio.bootstrap.H2AsyncRequester;
import org.apache.hc.core5.http2.impl.nio.bootstrap.H2RequesterBootstrap;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS listener and an https upstream, with certificates made by the JDK's keytool. */
class RecorderTlsTests {

  @TempDir static Path certs;
  @TempDir Path dir;

  static Path p12;
  static Path certPem;
  static Path keyPem;
  static Path otherKeyPem;
  static X509Certificate certificate;

  private static final char[] PASSWORD = "changeit".toCharArray();

  @BeforeAll
  static void certificates() throws Exception {
    p12 = certs.resolve("server.p12");
    keyPair(p12, "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
    certPem = certs.resolve("server.crt");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "server",
        "-keystore",
        p12.toString(),
        "-storepass",
        "changeit",
        "-file",
        certPem.toString());
    keyPem = certs.resolve("server.key");
    Files.writeString(keyPem, TestCertificates.pem("PRIVATE KEY", key(p12).getEncoded()));
    Path other = certs.resolve("other.p12");
    keyPair(other, "CN=other", null);
    otherKeyPem = certs.resolve("other.key");
    Files.writeString(otherKeyPem, TestCertificates.pem("PRIVATE KEY", key(other).getEncoded()));
    try (InputStream in = Files.newInputStream(certPem)) {
      certificate =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /** A new EC key pair with a self-signed certificate, in a PKCS12 keystore ({@code changeit}). */
  private static void keyPair(Path keystore, String name, String extension) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                name,
                "-validity",
                "2",
                "-keystore",
                keystore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit",
                "-keypass",
                "changeit"));
    if (extension != null) {
      args.addAll(List.of("-ext", extension));
    }
    keytool(args.toArray(new String[0]));
  }

  private static void keytool(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  private static PrivateKey key(Path keystore) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, PASSWORD);
    }
    return (PrivateKey) ks.getKey("server", PASSWORD);
  }

  /** A client context that trusts the test certificate (the test's "CA"). */
  private static SSLContext trustingTheTestCa() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", certificate);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(null, tmf.getTrustManagers(), null);
    return c;
  }

  private static InetSocketAddress loopback() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  private static HttpResponse<String> get(HttpClient client, URI uri) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aClientThatTrustsTheTestCaGetsTheUpstreamsAnswerOverTlsAndItIsRecorded() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(loopback(), up.uri(), out)
                    .withForwardedHeaders(true)
                    .withTls(RecorderConfig.Tls.NONE.withListenerPem(certPem, keyPem)))) {
      assertThat(r.url().getScheme()).isEqualTo("https");
      HttpClient client = HttpClient.newBuilder().sslContext(trustingTheTestCa()).build();
      HttpResponse<String> answer = get(client, r.url().resolve("/echo?tls=1"));
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).startsWith("GET /echo?tls=1").contains("X-forwarded-proto=[https]");
      assertThat(answer.sslSession()).isPresent();
      r.stop(Duration.ofSeconds(5));
      List<Exchange> recorded = RecorderTests.read(out);
      assertThat(recorded).hasSize(1);
      assertThat(recorded.get(0).request().target()).isEqualTo("/echo?tls=1");
      assertThat(recorded.get(0).response().status()).isEqualTo(200);
    }
  }

  @Test
  void aPkcs12KeystoreServesTheSameWay() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(loopback(), up.uri(), dir.resolve("rec.jsonl.gz"))
                    .withTls(RecorderConfig.Tls.NONE.withListenerPkcs12(p12, PASSWORD)))) {
      HttpClient client = HttpClient.newBuilder().sslContext(trustingTheTestCa()).build();
      assertThat(get(client, r.url().resolve("/echo")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void anIdleTlsConnectionIsParkedAndGoesOnOverItsSessionWhenItSpeaksAgain() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(loopback(), up.uri(), out)
                    .withTls(RecorderConfig.Tls.NONE.withListenerPem(certPem, keyPem)))) {
      HttpClient client = HttpClient.newBuilder().sslContext(trustingTheTestCa()).build();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> answer = get(client, r.url().resolve("/echo?parked=" + i));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("parked=" + i);
        // the connection waits without a thread, and is the only one: the client keeps it
        RecorderIdleConnectionsTests.awaitAtLeast(r::idleConnections, 1);
        assertThat(r.connections()).isEqualTo(1);
      }
      r.stop(Duration.ofSeconds(5));
      assertThat(RecorderTests.read(out)).hasSize(3);
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateFailsItsHandshake() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(loopback(), up.uri(), dir.resolve("rec.jsonl.gz"))
                    .withTls(RecorderConfig.Tls.NONE.withListenerPem(certPem, keyPem)))) {
      HttpClient client = HttpClient.newHttpClient(); // the system trust store
      assertThatThrownBy(() -> get(client, r.url().resolve("/echo")))
          .isInstanceOf(SSLHandshakeException.class);
      assertThat(up.requests.get()).isZero();
    }
  }

  @Test
  void aPlainHttpRequestOnTheTlsPortGetsAClearError() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(loopback(), up.uri(), dir.resolve("rec.jsonl.gz"))
                    .withTls(RecorderConfig.Tls.NONE.withListenerPem(certPem, keyPem)))) {
      HttpResponse<String> answer =
          get(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:" + r.port() + "/echo"));
      assertThat(answer.statusCode()).isEqualTo(400);
      assertThat(answer.body()).contains("this port speaks HTTPS").contains("https://");
      assertThat(up.requests.get()).isZero();
      // and a raw client that sends its request in pieces gets the same answer
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), r.port())) {
        s.setSoTimeout(5000);
        OutputStream o = s.getOutputStream();
        o.write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        o.write("Host: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(all).startsWith("HTTP/1.1 400 Bad Request").contains("Connection: close");
      }
      // the port still serves TLS after that
      HttpClient client = HttpClient.newBuilder().sslContext(trustingTheTestCa()).build();
      assertThat(get(client, r.url().resolve("/echo")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void anHttpsUpstreamIsVerifiedAgainstUpstreamCaOrTheSystemTrustStoreNeverTrustAll()
      throws Exception {
    HttpsServer https = HttpsServer.create(loopback(), 0);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      ks.load(in, PASSWORD);
    }
    kmf.init(ks, PASSWORD);
    SSLContext serverContext = SSLContext.getInstance("TLS");
    serverContext.init(kmf.getKeyManagers(), null, null);
    https.setHttpsConfigurator(new HttpsConfigurator(serverContext));
    https.createContext(
        "/",
        ex -> {
          byte[] body = "secure upstream".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
          }
        });
    https.start();
    URI upstream = URI.create("https://127.0.0.1:" + https.getAddress().getPort());
    try {
      try (Recorder r =
          Recorder.start(
              RecorderConfig.of(loopback(), upstream, dir.resolve("a.jsonl.gz"))
                  .withTls(RecorderConfig.Tls.NONE.withUpstreamCa(certPem)))) {
        HttpResponse<String> answer = get(HttpClient.newHttpClient(), r.url().resolve("/x"));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("secure upstream");
      }
      try (Recorder r =
          Recorder.start(RecorderConfig.of(loopback(), upstream, dir.resolve("b.jsonl.gz")))) {
        HttpResponse<String> answer = get(HttpClient.newHttpClient(), r.url().resolve("/x"));
        assertThat(answer.statusCode()).isEqualTo(502);
        assertThat(answer.body()).contains("(tls: ");
      }
    } finally {
      https.stop(0);
    }
  }

  @Test
  void badCertificateAndKeyFilesAreErrorsNamingTheFile() throws Exception {
    Path missing = dir.resolve("missing.pem");
    Path pkcs1 = dir.resolve("rsa.key");
    Files.writeString(pkcs1, TestCertificates.pem("RSA PRIVATE KEY", new byte[] {1, 2, 3}));
    Path garbage = dir.resolve("garbage.crt");
    Files.writeString(garbage, "not a certificate\n");
    Path encrypted = dir.resolve("enc.key");
    Files.writeString(
        encrypted, TestCertificates.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
    RecorderConfig.Tls none = RecorderConfig.Tls.NONE;
    assertThatThrownBy(() -> none.withListenerPem(missing, keyPem))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("--tls-cert " + missing)
        .hasMessageContaining("no such file");
    assertThatThrownBy(() -> none.withListenerPem(garbage, keyPem))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(garbage.toString())
        .hasMessageContaining("no PEM certificate");
    assertThatThrownBy(() -> none.withListenerPem(keyPem, keyPem))
        .hasMessageContaining("this looks like a private key");
    assertThatThrownBy(() -> none.withListenerPem(certPem, pkcs1))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("--tls-key " + pkcs1)
        .hasMessageContaining("openssl pkcs8 -topk8");
    assertThatThrownBy(() -> none.withListenerPem(certPem, encrypted))
        .hasMessageContaining("the key is encrypted");
    assertThatThrownBy(() -> none.withListenerPem(certPem, certPem))
        .hasMessageContaining("no PEM private key")
        .hasMessageContaining("this looks like a certificate");
    assertThatThrownBy(() -> none.withListenerPem(certPem, otherKeyPem))
        .hasMessageContaining("does not belong to the certificate");
    assertThatThrownBy(() -> none.withListenerPkcs12(p12, "wrong".toCharArray()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("--tls-keystore " + p12)
        .hasMessageContaining("password");
    assertThatThrownBy(() -> none.withListenerPkcs12(certPem, PASSWORD))
        .hasMessageContaining("--tls-keystore " + certPem);
    assertThatThrownBy(() -> none.withUpstreamCa(garbage))
        .hasMessageContaining("--upstream-ca " + garbage);
  }

  @Test
  void anHttp2ClientOverTlsGetsFaithfulAnswersRecordedAsHttp2() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(loopback(), up.uri(), out)
                    .withHttp2(true)
                    .withTls(RecorderConfig.Tls.NONE.withListenerPem(certPem, keyPem)))) {
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_2)
              .sslContext(trustingTheTestCa())
              .build();
      HttpResponse<String> get = get(client, r.url().resolve("/echo?h2=1"));
      assertThat(get.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(get.body()).startsWith("GET /echo?h2=1");
      assertThat(get.headers().allValues("X-Multi")).containsExactly("a", "b");
      HttpResponse<String> post =
          client.send(
              HttpRequest.newBuilder(r.url().resolve("/echo"))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"over\":\"h2\"}"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(post.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(post.body()).startsWith("POST /echo").contains("{\"over\":\"h2\"}");
      // an HTTP/1.1 client on the same port is still served over HTTP/1.1
      HttpClient http1 =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .sslContext(trustingTheTestCa())
              .build();
      assertThat(get(http1, r.url().resolve("/echo")).version())
          .isEqualTo(HttpClient.Version.HTTP_1_1);
      r.stop(Duration.ofSeconds(5));
      List<Exchange> recorded = RecorderTests.read(out);
      assertThat(recorded)
          .extracting(e -> e.request().httpVersion())
          .containsExactlyInAnyOrder("HTTP/2", "HTTP/2", "HTTP/1.1");
      Exchange h2post =
          recorded.stream().filter(e -> e.request().method().equals("POST")).findFirst().get();
      assertThat(new String(h2post.request().body().bytes(), StandardCharsets.UTF_8))
          .isEqualTo("{\"over\":\"h2\"}");
      assertThat(h2post.response().status()).isEqualTo(200);
    }
  }

  @Test
  void anH2cClientWithPriorKnowledgeIsServedOnThePlainPort() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(RecorderConfig.of(loopback(), up.uri(), out).withHttp2(true));
        H2AsyncRequester h2c =
            H2RequesterBootstrap.bootstrap()
                .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2)
                .create()) {
      h2c.start();
      HttpHost proxy = new HttpHost("http", "127.0.0.1", r.port());
      var answer =
          h2c.execute(
                  new BasicRequestProducer(Method.GET, proxy, "/echo?h2c=1"),
                  new BasicResponseConsumer<>(new StringAsyncEntityConsumer()),
                  Timeout.ofSeconds(10),
                  null)
              .get(10, TimeUnit.SECONDS);
      assertThat(answer.getHead().getCode()).isEqualTo(200);
      assertThat(answer.getBody()).startsWith("GET /echo?h2c=1");
      // the answer's length, as an HTTP/1.1 client gets it
      assertThat(answer.getHead().getFirstHeader("Content-Length").getValue())
          .isEqualTo(Integer.toString(answer.getBody().getBytes(StandardCharsets.UTF_8).length));
      // and HTTP/1.1 on the same port
      assertThat(get(HttpClient.newHttpClient(), r.url().resolve("/echo")).statusCode())
          .isEqualTo(200);
      r.stop(Duration.ofSeconds(5));
      assertThat(RecorderTests.read(out))
          .extracting(e -> e.request().httpVersion())
          .containsExactlyInAnyOrder("HTTP/2", "HTTP/1.1");
    }
  }
}
