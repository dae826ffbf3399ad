package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.MACVerifier;
import com.sun.net.httpserver.HttpExchange;
import dev.shadowtest.testing.LoopbackServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens end to end through the documented commands: a HAR imported with {@code
 * --keep-jwt-claims}, replayed to a candidate that verifies HS256 tokens and their expiry, without
 * and with a {@code resignJwt} transform.
 */
@Timeout(120)
class ReplayTransformsCommandTests {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "the-candidates-own-secret-0123456789";

  @TempDir Path dir;

  LoopbackServer server;
  final List<String> authorizations = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = LoopbackServer.start(4, this::answer);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** 200 {"user": sub} for a token signed with SECRET that has not expired; 401 otherwise. */
  void answer(HttpExchange ex) throws IOException {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    authorizations.add(String.valueOf(auth));
    try {
      JWSObject jws = JWSObject.parse(auth.substring("Bearer ".length()));
      JsonNode claims = JSON.readTree(jws.getPayload().toString());
      if (jws.verify(new MACVerifier(SECRET.getBytes(StandardCharsets.UTF_8)))
          && claims.path("exp").asLong() > Instant.now().getEpochSecond()) {
        LoopbackServer.send(
            ex,
            200,
            "application/json",
            ("{\"user\":\"" + claims.path("sub").asText() + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        return;
      }
    } catch (Exception e) {
      // no token, or not one of ours: refused
    }
    LoopbackServer.send(ex, 401, "application/json", "{\"error\":\"unauthorized\"}".getBytes());
  }

  static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Three users' requests, each with the production token of its day (long expired). */
  Path har() throws IOException {
    StringBuilder entries = new StringBuilder();
    for (int i = 1; i <= 3; i++) {
      String jwt =
          b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")
              + "."
              + b64("{\"sub\":\"u" + i + "\",\"iat\":1700000000,\"exp\":1700003600}")
              + ".cHJvZHVjdGlvbi1zaWduYXR1cmU";
      entries
          .append(i > 1 ? "," : "")
          .append(
              """
              {"startedDateTime": "2026-11-24T10:00:0%dZ", "time": 1,
               "request": {"method": "GET", "url": "http://shop.test/api/me", "headers": [
                 {"name": "Authorization", "value": "Bearer %s"}]},
               "response": {"status": 200, "statusText": "OK", "headers": [
                 {"name": "Content-Type", "value": "application/json"}],
                            "content": {"size": 14, "mimeType": "application/json",
                                        "text": "{\\"user\\":\\"u%d\\"}"}}}
              """
                  .formatted(i, jwt, i));
    }
    return Files.writeString(
        dir.resolve("tokens.har"),
        "{\"log\": {\"version\": \"1.2\", \"entries\": [" + entries + "]}}");
  }

  /** A rules file re-signing the candidate's tokens with {@code secret}, kept in a key file. */
  Path resigningWith(String secret) throws IOException {
    Path key = Files.writeString(dir.resolve("jwt.key"), secret);
    return Files.writeString(
        dir.resolve("rules.yaml"),
        "version: 1\n"
            + "transforms:\n"
            + "  - candidate:\n"
            + "      resignJwt: {algorithm: HS256, key: \"${file:"
            + key
            + "}\"}\n");
  }

  Path imported() throws IOException {
    Path rec = dir.resolve("rec.jsonl.gz");
    ShadowCliTests.Run r =
        shadow("import", "--from", "har", har(), "--out", rec, "--keep-jwt-claims");
    assertThat(r.code()).as(r.err()).isZero();
    return rec;
  }

  @Test
  void recordedTokensAreRefusedUntilTheyAreReSignedForTheCandidate() throws IOException {
    Path rec = imported();
    Path plain = dir.resolve("plain");
    ShadowCliTests.Run asRecorded =
        shadow("replay", "--recording", rec, "--candidate", server.uri(), "--out", plain);
    assertThat(asRecorded.code()).isEqualTo(1);
    // the token without its signature is left out like any redacted credential, and said so
    assertThat(authorizations).containsOnly("null");
    assertThat(asRecorded.out() + asRecorded.err()).contains("401").contains("authorization");

    Path rules = resigningWith(SECRET + "\n");
    Path out = dir.resolve("resigned");
    ShadowCliTests.Run resigned =
        shadow(
            "replay",
            "--recording",
            rec,
            "--candidate",
            server.uri(),
            "--out",
            out,
            "--rules",
            rules);
    assertThat(resigned.code())
        .as(resigned.out() + Files.readString(out.resolve("discrepancies.csv")) + authorizations)
        .isZero();
    assertThat(resigned.out()).contains("transforms applied (all targets): resignJwt 3");
    JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
    assertThat(summary.path("matched").asLong()).isEqualTo(3);
    assertThat(summary.path("transforms").path("resignJwt").asLong()).isEqualTo(3);
    assertThat(Files.readString(out.resolve("report.html"))).contains("resignJwt 3");
    assertThat(Files.readString(out.resolve("rules.yaml"))).doesNotContain(SECRET);
  }

  @Test
  void aKeyTooShortToSignIsRefusedWithItsFileLineAndKey() throws IOException {
    Path rec = imported();
    Path rules = resigningWith("short");
    ShadowCliTests.Run r =
        shadow(
            "replay",
            "--recording",
            rec,
            "--candidate",
            server.uri(),
            "--out",
            dir.resolve("o"),
            "--rules",
            rules);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "rules.yaml:4: transforms.candidate.resignJwt.key: HS256 needs a secret of at least 32"
                + " bytes (256 bits), got 5 bytes")
        .doesNotContain("Exception");
    assertThat(authorizations).isEmpty();
  }
}
