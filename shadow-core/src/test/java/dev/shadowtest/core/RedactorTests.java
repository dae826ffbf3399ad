package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The redactor alone: bounded decoding, bounded patterns, and the helpers that redact run outputs like recordings. */
@Timeout(30)
class RedactorTests {

  static final RedactionKey KEY = RedactionKey.of("a key");

  static Redaction rules(
      List<String> headers,
      List<String> jsonPaths,
      List<String> queryParams,
      List<String> patterns) {
    return Redaction.defaults()
        .plus(new Redaction(headers, jsonPaths, queryParams, patterns, false));
  }

  static final Redaction CARDS =
      rules(List.of(), List.of(), List.of(), List.of("\\b4\\d{3}-\\d{4}-\\d{4}-\\d{4}\\b"));

  static byte[] gzip(byte[] content, int times) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream o = new GZIPOutputStream(out)) {
      for (int i = 0; i < times; i++) {
        o.write(content);
      }
    }
    return out.toByteArray();
  }

  /** About 100 KB that inflate to 100 MiB of zeros. */
  static byte[] bomb() throws IOException {
    return gzip(new byte[1 << 20], 100);
  }

  static Exchange gzipped(String contentType, byte[] body) {
    return Exchange.of(
        "x",
        HttpRequest.of("GET", "/"),
        new HttpResponse(
            200,
            "OK",
            Headers.of("Content-Type", contentType).with("Content-Encoding", "gzip"),
            Body.binary(body)));
  }

  @Test
  void headersKeepTheirOrderAndOnlyRedactedValuesChange() {
    Headers h =
        Headers.of(
            "Accept", "*/*",
            "Authorization", "Bearer secret",
            "X-Card", "4111-1111-1111-1111",
            "Cookie", "a=b",
            "X-Plain", "as is");
    Exchange e =
        new Redactor(CARDS, null, 1024)
            .apply(Exchange.of("x", new HttpRequest("GET", "/", "HTTP/1.1", h, Body.none()), null));
    assertThat(e.request().headers())
        .isEqualTo(
            Headers.of(
                "Accept", "*/*",
                "Authorization", Redaction.REDACTED,
                "X-Card", Redaction.REDACTED,
                "Cookie", Redaction.REDACTED,
                "X-Plain", "as is"));
    Headers clean = Headers.of("Accept", "*/*", "X-Plain", "as is");
    Exchange untouched =
        new Redactor(CARDS, null, 1024)
            .apply(
                Exchange.of(
                    "y", new HttpRequest("GET", "/", "HTTP/1.1", clean, Body.none()), null));
    assertThat(untouched.request().headers()).isSameAs(clean); // nothing to redact: not copied
  }

  @Test
  void aGzipBombIsDecodedOnlyUpToTheLimitAndFlaggedTruncated() throws IOException {
    byte[] bomb = bomb();
    assertThat(bomb.length).isLessThan(200_000);
    Body b =
        new Redactor(CARDS, null, 1 << 20).apply(gzipped("text/plain", bomb)).response().body();
    assertThat(b.truncated()).isTrue();
    assertThat(b.bytes()).hasSize(1 << 20);
    assertThat(b.size())
        .as("the decoded size seen so far")
        .isGreaterThan(1 << 20)
        .isLessThan(100L << 20);
  }

  @Test
  void aCutDecodedJsonBodyIsRedactedWholeWhenJsonPathsAreConfigured() throws IOException {
    Redactor r =
        new Redactor(rules(List.of(), List.of("$..password"), List.of(), List.of()), null, 64);
    String json = "{\"password\":\"gzip-secret\",\"pad\":\"" + "x".repeat(200) + "\"}";
    Body b =
        r.apply(gzipped("application/json", gzip(json.getBytes(StandardCharsets.UTF_8), 1)))
            .response()
            .body();
    assertThat(b.truncated()).isTrue();
    assertThat(((Body.Text) b).text())
        .doesNotContain("gzip-secret")
        .contains("truncated JSON body: redacted as a whole");
  }

  @Test
  void aCompressedBodyWithinTheLimitIsKeptWholeAndDecoded() throws IOException {
    Exchange e =
        new Redactor(CARDS, null, 1024)
            .apply(
                gzipped(
                    "text/plain",
                    gzip("card 4111-1111-1111-1111 ok".getBytes(StandardCharsets.UTF_8), 1)));
    assertThat(e.response().body()).isEqualTo(Body.text("card [REDACTED] ok"));
    assertThat(e.response().headers().contains("Content-Encoding")).isFalse();
  }

  @Test
  void aCharacterCutInTwoAtTheLimitIsLeftOutSoTheBodyStaysText() throws IOException {
    byte[] text = "é".repeat(100).getBytes(StandardCharsets.UTF_8); // two bytes each
    Body b =
        new Redactor(CARDS, null, 51).apply(gzipped("text/plain", gzip(text, 1))).response().body();
    assertThat(b).isInstanceOf(Body.Text.class);
    assertThat(((Body.Text) b).text()).isEqualTo("é".repeat(25));
    assertThat(b.truncated()).isTrue();
    assertThat(b.size()).isEqualTo(200);
  }

  @Test
  void withoutALimitCompressedBodiesAreDecodedUpToTenMebibytes() throws IOException {
    assertThat(Redactor.DEFAULT_MAX_BODY).isEqualTo(10 << 20);
    Body b =
        new Redactor(CARDS, null)
            .apply(gzipped("application/octet-stream", bomb()))
            .response()
            .body();
    assertThat(b.truncated()).isTrue();
    assertThat(b.bytes()).hasSize(10 << 20);
  }

  @Test
  void aNegativeLimitIsRefused() {
    assertThatThrownBy(() -> new Redactor(CARDS, null, -1))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("maxBody");
  }

  /**
   * Polynomial backtracking of degree 20 on a value without a final {@code a}: this one explodes
   * even on Java 17, whose regex engine memoizes the classic {@code (a+)+$}.
   */
  static final Redaction CATASTROPHIC =
      rules(List.of(), List.of(), List.of(), List.of("(.*a){20}!?x"));

  static final String EVIL = "a".repeat(40) + "!";

  @Test
  @Timeout(5)
  void theClassicNestedQuantifierFinishesQuicklyOnItsWorstInput() {
    Redactor r = new Redactor(rules(List.of(), List.of(), List.of(), List.of("(a+)+$")), null);
    Exchange e =
        r.apply(
            Exchange.of(
                "x",
                new HttpRequest("GET", "/", "HTTP/1.1", Headers.of("X-Note", EVIL), Body.none()),
                null));
    assertThat(e.request().headers().first("X-Note")).contains(EVIL); // no match: unchanged
    assertThat(r.redactText("b" + "a".repeat(40))).isEqualTo("b[REDACTED]");
  }

  @Test
  @Timeout(5)
  void aPatternThatBacktracksCatastrophicallyIsAbandonedAndTheValueMaskedWhole() {
    Redactor r = new Redactor(CATASTROPHIC, null);
    Exchange e =
        r.apply(
            Exchange.of(
                "x",
                new HttpRequest(
                    "GET", "/p/" + EVIL, "HTTP/1.1", Headers.of("X-Note", EVIL), Body.none()),
                new HttpResponse(
                    200,
                    "OK",
                    Headers.of("Content-Type", "text/plain"),
                    Body.text("say " + EVIL))));
    assertThat(e.request().headers().first("X-Note")).contains("[REDACTED]");
    assertThat(e.request().target()).isEqualTo("/%5BREDACTED%5D");
    assertThat(((Body.Text) e.response().body()).text())
        .doesNotContain(EVIL)
        .contains("redacted as a whole");
    assertThat(r.patternOverruns()).isEqualTo(3);
  }

  @Test
  @Timeout(5)
  void redactTextIsBoundedLikeApply() {
    Redactor r = new Redactor(CATASTROPHIC, KEY);
    assertThat(r.redactText(EVIL)).isEqualTo(r.mask(EVIL));
    assertThat(r.patternOverruns()).isEqualTo(1);
    assertThat(r.redactText("nothing to see"))
        .isEqualTo("nothing to see"); // one that finishes leaves it as it is
    assertThat(r.patternOverruns()).isEqualTo(1);
  }

  @Test
  void redactsHeaderIgnoresCaseAndIncludesTheCredentialDefaults() {
    Redactor r =
        new Redactor(rules(List.of("X-Session-Token"), List.of(), List.of(), List.of()), null);
    assertThat(r.redactsHeader("authorization")).isTrue();
    assertThat(r.redactsHeader("SET-COOKIE")).isTrue();
    assertThat(r.redactsHeader("x-session-token")).isTrue();
    assertThat(r.redactsHeader("Content-Type")).isFalse();
  }

  @Test
  void redactsPathCoversConfiguredPathsAndEverythingBelowThem() {
    Redactor r =
        new Redactor(
            rules(List.of(), List.of("$.card", "$..password"), List.of(), List.of()), null);
    assertThat(r.redactsPath(List.of("card"))).isTrue();
    assertThat(r.redactsPath(List.of("card", "number"))).isTrue();
    assertThat(r.redactsPath(List.of("users", 3, "password"))).isTrue();
    assertThat(r.redactsPath(List.of("users", 3, "name"))).isFalse();
    assertThat(r.redactsPath(List.of())).isFalse();
  }

  @Test
  void redactTextMasksEveryMatchOfThePatterns() {
    Redactor r = new Redactor(CARDS, null);
    assertThat(r.redactText("paid with 4111-1111-1111-1111 and 4222-2222-2222-2222"))
        .isEqualTo("paid with [REDACTED] and [REDACTED]");
    assertThat(r.redactText("nothing here")).isEqualTo("nothing here");
    assertThat(r.redactText(null)).isNull();
  }

  @Test
  void redactTargetMasksQueryParametersOfTargetsAndUrls() {
    Redactor r = new Redactor(rules(List.of(), List.of(), List.of("token"), List.of()), null);
    assertThat(r.redactTarget("/a?token=t1&page=2")).isEqualTo("/a?token=%5BREDACTED%5D&page=2");
    assertThat(r.redactTarget("https://shop.example/cart?x=1&token=t2"))
        .isEqualTo("https://shop.example/cart?x=1&token=%5BREDACTED%5D");
    assertThat(r.redactTarget("/a?tokens=t3")).isEqualTo("/a?tokens=t3");
    assertThat(r.redactTarget(null)).isNull();
  }

  @Test
  void maskIsRedactedOrAStablePseudonym() {
    assertThat(new Redactor(CARDS, null).mask("secret")).isEqualTo("[REDACTED]");
    Redactor keyed = new Redactor(CARDS, KEY);
    assertThat(keyed.mask("secret"))
        .startsWith("hmac:")
        .hasSize(27)
        .isEqualTo(keyed.mask("secret"))
        .isNotEqualTo(keyed.mask("other"))
        .isEqualTo(new Redactor(Redaction.defaults(), KEY).mask("secret"));
  }

  @Test
  void theHelpersRedactAsApplyDoes() {
    Redactor r =
        new Redactor(
            rules(
                List.of("X-Session-Token"),
                List.of("$.card.number"),
                List.of("token"),
                List.of("\\b4\\d{3}-\\d{4}-\\d{4}-\\d{4}\\b")),
            KEY);
    String target = "/pay?token=t1&card=4111-1111-1111-1111";
    String note = "card 4111-1111-1111-1111";
    Exchange e =
        r.apply(
            Exchange.of(
                "x",
                new HttpRequest(
                    "POST",
                    target,
                    "HTTP/1.1",
                    Headers.of("X-Note", note)
                        .with("X-Session-Token", "s1")
                        .with("Referer", "http://x/y?token=t2")
                        .with("Content-Type", "application/json"),
                    Body.text("{\"card\":{\"number\":\"4999\"}}")),
                null));
    assertThat(e.request().target()).isEqualTo(r.redactTarget(target));
    assertThat(e.request().headers().first("X-Note")).contains(r.redactText(note));
    assertThat(e.request().headers().first("X-Session-Token")).contains(r.mask("s1"));
    assertThat(e.request().headers().first("Referer"))
        .contains(r.redactTarget("http://x/y?token=t2"));
    assertThat(((Body.Text) e.request().body()).text())
        .isEqualTo("{\"card\":{\"number\":\"" + r.mask("4999") + "\"}}");
    assertThat(r.redactsHeader("X-Session-Token")).isTrue();
    assertThat(r.redactsPath(List.of("card", "number"))).isTrue();
  }

  @Test
  void aHugeRedactionFileIsRefusedBeforeItIsParsed(@TempDir Path dir) throws Exception {
    Path big = dir.resolve("redact.yaml");
    try (var w = Files.newBufferedWriter(big)) {
      w.write("version: 1\npatterns: [\"");
      for (int i = 0; i < 50; i++) {
        w.write("x".repeat(1 << 20)); // a 50 MB scalar
      }
      w.write("\"]\n");
    }
    Assertions.assertThatThrownBy(() -> Redaction.load(big))
        .isInstanceOf(RecordingException.class)
        .hasMessage(
            big
                + ": is larger than 1 MiB, or not a regular file: a redaction file is a few kilobytes of YAML");
  }
}
