package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.ResultsFile;
import dev.shadowtest.testing.Http2LoopbackServer;
import dev.shadowtest.testing.LoopbackServer;
import dev.shadowtest.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code shadow replay} to HTTPS and HTTP/2 targets: {@code --ca-cert}, {@code --insecure}, client
 * certificates and {@code --http2}, against loopback servers with a test CA made at run time.
 */
@Timeout(180)
class ReplayConnectionsCommandTests {

  @TempDir Path dir;

  static TestCertificates certs;
  static LoopbackServer https;
  static LoopbackServer clientAuth;

  Path rec;

  @BeforeAll
  static void start() {
    certs = TestCertificates.get();
    https =
        LoopbackServer.startHttps(
            4,
            certs.serverContext(certs.server(), false),
            false,
            ReplayConnectionsCommandTests::item);
    clientAuth =
        LoopbackServer.startHttps(
            4,
            certs.serverContext(certs.server(), true),
            true,
            ReplayConnectionsCommandTests::item);
  }

  @AfterAll
  static void stop() {
    https.close();
    clientAuth.close();
  }

  /** Answers {@code /items/N} with {@code {"id":N}}, as recorded. */
  static void item(HttpExchange ex) throws IOException {
    LoopbackServer.send(ex, 200, "application/json", body(ex.getRequestURI().getPath()));
  }

  static String body(String path) {
    return "{\"id\":" + path.substring(path.lastIndexOf('/') + 1) + "}";
  }

  /** A recording of {@code n} GETs of {@code /items/1..n}, answered {@code {"id":i}}. */
  static Path recording(Path dir, int n) throws IOException {
    StringBuilder sb = new StringBuilder(ShadowCliTests.HEADER).append('\n');
    for (int i = 1; i <= n; i++) {
      sb.append("{\"id\":\"e")
          .append(i)
          .append("\",\"request\":{\"method\":\"GET\",\"target\":\"/items/")
          .append(i)
          .append("\"},\"response\":{\"status\":200,\"headers\":[[\"Content-Type\",")
          .append("\"application/json\"]],\"body\":{\"text\":\"{\\\"id\\\":")
          .append(i)
          .append("}\"}}}\n");
    }
    Path p = dir.resolve("items.jsonl");
    Files.writeString(p, sb);
    return p;
  }

  @BeforeEach
  void write() throws IOException {
    rec = recording(dir, 3);
  }

  static List<ResultLine> results(Path out) {
    List<ResultLine> l = new ArrayList<>();
    ResultsFile.read(out.resolve("results.jsonl.gz"), l::add);
    return l;
  }

  static JsonNode summary(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
  }

  ShadowCliTests.Run replay(Object candidate, String out, Object... more) {
    List<Object> args =
        new ArrayList<>(
            List.of(
                "replay", "--recording", rec, "--candidate", candidate, "--out", dir.resolve(out)));
    args.addAll(List.of(more));
    return shadow(args.toArray());
  }

  @Test
  void anHttpsCandidateOfAnInternalCaIsRefusedWithoutCaCertAndComparedWithIt() throws IOException {
    ShadowCliTests.Run refused = replay(https.uri(), "refused");
    assertThat(refused.code()).as(refused.err()).isEqualTo(1); // nothing compared: the gate fails
    assertThat(results(dir.resolve("refused")))
        .hasSize(3)
        .allSatisfy(l -> assertThat(l.error()).startsWith("tls: PKIX path building failed"));
    assertThat(summary(dir.resolve("refused")).get("errors").asLong()).isEqualTo(3);

    ShadowCliTests.Run trusted = replay(https.uri(), "trusted", "--ca-cert", certs.caCert());
    assertThat(trusted.code()).as(trusted.err()).isZero();
    assertThat(summary(dir.resolve("trusted")).get("matched").asLong()).isEqualTo(3);
    assertThat(trusted.err()).doesNotContain("--insecure");
  }

  @Test
  void insecureWarnsOnceAndTrustsTheCertificate() throws IOException {
    ShadowCliTests.Run run = replay(https.uri(), "out", "--insecure");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.err().split("warning: --insecure", -1)).hasSize(2);
    assertThat(run.err())
        .contains(
            "warning: --insecure: TLS certificates and host names of every https target are not verified");
    assertThat(summary(dir.resolve("out")).get("matched").asLong()).isEqualTo(3);
    // the run's record says so too, not only the terminal
    assertThat(warnings(dir.resolve("out")))
        .containsExactly(
            "--insecure: TLS certificates and host names of https targets were not verified"
                + " (whoever sat between Shadow and a target could read and change the traffic)");
  }

  /** The warnings summary.json records (none when it has no such field). */
  static List<String> warnings(Path out) throws IOException {
    List<String> all = new ArrayList<>();
    JsonNode w = summary(out).get("warnings");
    if (w != null) {
      w.forEach(n -> all.add(n.asText()));
    }
    return all;
  }

  @Test
  void aServerThatRequiresAClientCertificateGetsOneAndFailsTlsWithout() throws IOException {
    ShadowCliTests.Run with =
        replay(
            clientAuth.uri(),
            "with",
            "--ca-cert",
            certs.caCert(),
            "--client-cert",
            certs.client().certificate(),
            "--client-key",
            certs.client().key());
    assertThat(with.code()).as(with.err()).isZero();
    assertThat(summary(dir.resolve("with")).get("matched").asLong()).isEqualTo(3);

    ShadowCliTests.Run without = replay(clientAuth.uri(), "without", "--ca-cert", certs.caCert());
    assertThat(without.code()).isEqualTo(1);
    assertThat(results(dir.resolve("without")))
        .hasSize(3)
        .allSatisfy(
            l ->
                assertThat(l.error())
                    .startsWith("tls: the server asked for a client certificate, none was given"));
  }

  @Test
  void http2IsWhatTheTargetSeesOverH2cAndOverTlsByAlpn() throws IOException {
    try (Http2LoopbackServer h2c = Http2LoopbackServer.start(null, false, s -> body(s.path()));
        Http2LoopbackServer h2 =
            Http2LoopbackServer.start(
                certs.serverContext(certs.server(), false), false, s -> body(s.path()))) {
      ShadowCliTests.Run plain = replay(h2c.uri(), "h2c", "--http2");
      assertThat(plain.code()).as(plain.out() + plain.err()).isZero();
      assertThat(h2c.seen())
          .hasSize(3)
          .allSatisfy(s -> assertThat(s.protocol()).isEqualTo("HTTP/2.0"));

      ShadowCliTests.Run tls = replay(h2.uri(), "h2", "--http2", "--ca-cert", certs.caCert());
      assertThat(tls.code()).as(tls.err()).isZero();
      ShadowCliTests.Run http11 = replay(h2.uri(), "h1", "--ca-cert", certs.caCert());
      assertThat(http11.code()).as(http11.err()).isZero();
      assertThat(h2.seen())
          .extracting(Http2LoopbackServer.Seen::protocol)
          .containsExactly("HTTP/2.0", "HTTP/2.0", "HTTP/2.0", "HTTP/1.1", "HTTP/1.1", "HTTP/1.1");
      assertThat(summary(dir.resolve("h2")).get("matched").asLong()).isEqualTo(3);
      assertThat(warnings(dir.resolve("h2")))
          .containsExactly(
              "--http2: every target was spoken to in HTTP/2 (h2 by ALPN over https, h2c with"
                  + " prior knowledge over http)");
      assertThat(warnings(dir.resolve("h1"))).isEmpty();
    }
  }

  @Test
  void badTlsInputIsOneLineNamingTheFileAndExitsTwo() throws IOException {
    Path missing = dir.resolve("missing.pem");
    Path rsa = dir.resolve("rsa.key");
    Files.writeString(rsa, TestCertificates.pem("RSA PRIVATE KEY", new byte[] {1, 2, 3}));
    Object[][] cases = {
      {new Object[] {"--ca-cert", missing}, "error: --ca-cert " + missing + ": no such file"},
      {
        new Object[] {"--ca-cert", certs.client().key()},
        "error: --ca-cert " + certs.client().key() + ": no PEM certificate in it"
      },
      {
        new Object[] {"--client-cert", certs.client().certificate()},
        "error: --client-cert needs --client-key"
      },
      {
        new Object[] {"--client-key", certs.client().key()},
        "error: --client-key needs --client-cert"
      },
      {
        new Object[] {"--client-cert", certs.client().certificate(), "--client-key", rsa},
        "error: --client-key " + rsa + ": an RSA key in the traditional format"
      },
      {
        new Object[] {
          "--client-cert", certs.client().certificate(), "--client-key", certs.server().key()
        },
        "error: --client-key "
            + certs.server().key()
            + ": this key does not belong to the certificate"
      },
      {
        new Object[] {"--insecure", "--ca-cert", certs.caCert()},
        "error: --insecure and --ca-cert contradict each other"
      },
    };
    for (Object[] c : cases) {
      ShadowCliTests.Run run = replay(https.uri(), "bad", (Object[]) c[0]);
      assertThat(run.code()).as(run.err()).isEqualTo(2);
      assertThat(run.err()).startsWith((String) c[1]).doesNotContain("\tat ");
      assertThat(run.err().lines().count()).as(run.err()).isLessThanOrEqualTo(2);
      assertThat(dir.resolve("bad")).as("nothing is created on bad input").doesNotExist();
    }
  }
}
