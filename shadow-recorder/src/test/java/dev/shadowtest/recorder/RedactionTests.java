package dev.shadowtest.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.RecordingReader;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.RedactionKey;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Secrets in headers, JSON bodies, query strings and free text never reach the recording. */
@Timeout(60)
class RedactionTests {

  @TempDir Path dir;

  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static final List<String> SECRETS =
      List.of(
          "Bearer auth-header-secret",
          "auth-header-secret",
          "cookie-secret",
          "session-header-secret",
          "api-key-secret",
          "query-token-secret",
          "body-pass-secret",
          "4111-1111-1111-1111",
          "resp-pass-secret",
          "nested-pass-secret",
          "response-cookie-secret",
          "response-session-secret",
          "form-token-secret",
          "4222-2222-2222-2222");

  Path rules() throws IOException {
    Path f = dir.resolve("redact.yaml");
    Files.writeString(
        f,
        """
        version: 1
        headers: [X-Session-Token]
        jsonPaths: ["$.card.number", "$..password"]
        queryParams: [token]
        patterns: ["\\\\b4\\\\d{3}-\\\\d{4}-\\\\d{4}-\\\\d{4}\\\\b"]
        """);
    return f;
  }

  void sendSecrets(Recorder r) throws Exception {
    client.send(
        HttpRequest.newBuilder(URI.create(r.url() + "/json?token=query-token-secret&page=2"))
            .header("Authorization", "Bearer auth-header-secret")
            .header("Cookie", "sid=cookie-secret")
            .header("X-Session-Token", "session-header-secret")
            .header("X-Api-Key", "api-key-secret")
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"login\":\"ann\",\"password\":\"body-pass-secret\",\"card\":{\"number\":"
                        + "\"4111-1111-1111-1111\"},\"note\":\"card 4222-2222-2222-2222 on file\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    // (to an endpoint that does not reflect it: a secret the upstream copies into free text is
    // only caught by a pattern)
    client.send(
        HttpRequest.newBuilder(URI.create(r.url() + "/upload"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("user=ann&token=form-token-secret"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String content(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void noByteOfAnySecretIsInTheRecording() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), up.uri(), out)
                    .withRedaction(Redaction.load(rules()), null))) {
      sendSecrets(r);
      r.stop(Duration.ofSeconds(5));
    }
    String recording = content(out);
    for (String secret : SECRETS) {
      assertThat(recording).as("the recording holds %s", secret).doesNotContain(secret);
    }
    assertThat(recording)
        .contains("[REDACTED]")
        .contains("login")
        .contains("page=2")
        .contains("user=ann")
        .contains("visa");
    try (RecordingReader reader = RecordingReader.open(out)) {
      var redaction = reader.header().redaction();
      assertThat(redaction.headers())
          .contains("Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "X-Session-Token");
      assertThat(redaction.jsonPaths()).containsExactly("$.card.number", "$..password");
      assertThat(redaction.queryParams()).containsExactly("token");
      assertThat(redaction.patterns()).hasSize(1);
      Exchange e = reader.next();
      assertThat(e.request().target()).isEqualTo("/json?token=%5BREDACTED%5D&page=2");
    }
  }

  @Test
  void defaultsRedactCredentialHeadersWithoutAnyFile() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), up.uri(), out))) {
      sendSecrets(r);
      r.stop(Duration.ofSeconds(5));
    }
    String recording = content(out);
    for (String secret :
        List.of(
            "auth-header-secret", "cookie-secret", "api-key-secret", "response-cookie-secret")) {
      assertThat(recording).doesNotContain(secret);
    }
    assertThat(recording).contains("body-pass-secret"); // bodies are redacted only as configured
  }

  @Test
  void hmacPseudonymsKeepEqualSecretsEqual() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), up.uri(), out)
                    .withRedaction(
                        Redaction.load(rules()), RedactionKey.of("a key from the environment")))) {
      sendSecrets(r);
      sendSecrets(r);
      r.stop(Duration.ofSeconds(5));
    }
    String recording = content(out);
    for (String secret : SECRETS) {
      assertThat(recording).doesNotContain(secret);
    }
    List<Exchange> all;
    try (RecordingReader reader = RecordingReader.open(out)) {
      all = reader.stream().toList();
      assertThat(reader.header().redaction().pseudonyms()).isTrue();
    }
    String a = all.get(0).request().headers().first("Authorization").orElseThrow();
    String b = all.get(2).request().headers().first("Authorization").orElseThrow();
    assertThat(a).startsWith("hmac:").isEqualTo(b);
    assertThat(all.get(0).request().headers().first("Cookie").orElseThrow())
        .startsWith("hmac:")
        .isNotEqualTo(a);
  }

  @Test
  void aBadRedactionFileNamesFileLineAndKey() throws IOException {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "version: 1\nheaders: [X-A]\njsonPaths: [\"$.ok\", \"$..\"]\n");
    assertThatThrownBy(() -> Redaction.load(f))
        .isInstanceOf(RecordingException.class)
        .hasMessageContaining(f + ":3")
        .hasMessageContaining("jsonPaths: bad JSON path \"$..\"");
    Files.writeString(f, "version: 1\nheader: [X-A]\n");
    assertThatThrownBy(() -> Redaction.load(f))
        .hasMessageContaining(f + ":2")
        .hasMessageContaining("header: unknown key");
    Files.writeString(f, "patterns: [\"(unclosed\"]\n");
    assertThatThrownBy(() -> Redaction.load(f)).hasMessageContaining("patterns: bad regex");
    assertThatThrownBy(() -> Redaction.load(dir.resolve("nope.yaml")))
        .hasMessageContaining("no such file");
  }

  /** Sends a request and reads the answer to its end, whatever it is. */
  void fetch(Recorder r, String target) throws Exception {
    client.send(
        HttpRequest.newBuilder(URI.create(r.url() + target)).build(),
        HttpResponse.BodyHandlers.discarding());
  }

  @Test
  void aGzipBombAmongGoodExchangesIsCutAtMaxBodyAndTheRecordingStaysReadable() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), up.uri(), out)
                    .withRedaction(Redaction.load(rules()), null))) { // default --max-body: 10 MiB
      for (int i = 0; i < 3; i++) {
        fetch(r, "/json?i=" + i);
      }
      fetch(r, "/gzip-bomb");
      for (int i = 3; i < 6; i++) {
        fetch(r, "/json?i=" + i);
      }
      assertThat(r.stop(Duration.ofSeconds(10)).recorded()).isEqualTo(7);
    }
    try (RecordingReader reader = RecordingReader.open(out)) {
      List<Exchange> all = reader.stream().toList();
      assertThat(reader.warnings()).isEmpty();
      assertThat(all).hasSize(7);
      Exchange bomb = all.get(3);
      assertThat(bomb.request().target()).isEqualTo("/gzip-bomb");
      assertThat(bomb.response().headers().contains("Content-Encoding")).isFalse(); // kept decoded
      assertThat(bomb.response().body().truncated()).isTrue();
      assertThat(bomb.response().body())
          .as("zeros written as base64, not as \\u0000 escapes")
          .isInstanceOf(Body.Binary.class);
      assertThat(bomb.response().body().bytes()).hasSize(RecorderConfig.DEFAULT_MAX_BODY);
      assertThat(bomb.response().body().size()).isGreaterThan(RecorderConfig.DEFAULT_MAX_BODY);
      assertThat(all)
          .filteredOn(e -> e != bomb)
          .allSatisfy(
              e -> {
                assertThat(e.response().status()).isEqualTo(200);
                assertThat(e.response().body().truncated()).isFalse();
              });
    }
  }

  @Test
  void aFourMegabyteGzipResponseIsDecodedOnlyUpToMaxBody() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    int max = 5 << 20; // the 4 MB on the wire are kept whole; they inflate to 4 GiB
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), up.uri(), out)
                    .withRedaction(Redaction.load(rules()), null)
                    .withMaxBody(max))) {
      fetch(r, "/gzip-4mb");
      fetch(r, "/json");
      r.stop(Duration.ofSeconds(10));
    }
    List<Exchange> all = RecorderTests.read(out);
    assertThat(all).hasSize(2);
    Body b = all.get(0).response().body();
    assertThat(b.truncated()).isTrue();
    assertThat(b.bytes()).hasSize(max);
    assertThat(b.size()).isGreaterThan(max);
  }

  @Test
  void aPatternThatBacktracksCatastrophicallyDoesNotStallTheWriter() throws Exception {
    Path f = dir.resolve("slow.yaml");
    Files.writeString(f, "patterns: [\"(.*a){20}!?x\"]\n"); // explodes on a run of a's without an x
    Path out = dir.resolve("rec.jsonl.gz");
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), up.uri(), out)
                    .withRedaction(Redaction.load(f), null))) {
      for (int i = 0; i < 5; i++) {
        client.send(
            HttpRequest.newBuilder(URI.create(r.url() + "/echo?i=" + i))
                .header("X-Note", "a".repeat(40) + "!")
                .build(),
            HttpResponse.BodyHandlers.ofString());
      }
      long t0 = System.nanoTime();
      RecorderStats s = r.stop(Duration.ofSeconds(10));
      assertThat((System.nanoTime() - t0) / 1e6).as("ms to write five exchanges").isLessThan(3000);
      assertThat(s.recorded()).isEqualTo(5);
      assertThat(s.patternOverruns())
          .isGreaterThanOrEqualTo(5); // each header (and the echo of it in the body)
    }
    assertThat(content(out)).doesNotContain("a".repeat(40));
  }

  @Test
  void aTruncatedJsonBodyIsRedactedAsAWhole() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), up.uri(), out)
                    .withRedaction(Redaction.load(rules()), null)
                    .withMaxBody(40))) {
      sendSecrets(r);
      r.stop(Duration.ofSeconds(5));
    }
    String recording = content(out);
    assertThat(recording)
        .doesNotContain("4111")
        .doesNotContain("resp-pass")
        .contains("truncated JSON body: redacted as a whole");
  }
}
