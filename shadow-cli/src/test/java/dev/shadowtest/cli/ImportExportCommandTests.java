package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.cli.ShadowCliTests.Run;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.RecordingReader;
import dev.shadowtest.core.Redaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportExportCommandTests {

  static final Path SHOP_HAR = ShadowCliTests.EXAMPLES.resolve("shop.har");

  @TempDir Path dir;

  static String oneLine(String text) {
    assertThat(text.lines().toList()).hasSize(1);
    return text.strip();
  }

  /** A HAR of one entry whose response body is {@code size} bytes of text. */
  Path harWithBody(int size) throws IOException {
    Path har = dir.resolve("big.har");
    Files.writeString(
        har,
        """
        {"log": {"version": "1.2", "entries": [
          {"startedDateTime": "2026-11-24T10:00:00Z", "time": 1,
           "request": {"method": "GET", "url": "http://shop.test/export.csv", "headers": []},
           "response": {"status": 200, "statusText": "OK", "headers": [{"name": "Content-Type", "value": "text/csv"}],
                        "content": {"size": %d, "mimeType": "text/csv", "text": "%s"}}}
        ]}}
        """
            .formatted(size, "a,b\\n".repeat(size / 4)));
    return har;
  }

  @Test
  void importOfAHarMixingEveryProducerQuirkPrintsWhatItImportedSkippedAndAdjusted() {
    Path mixed = Path.of("../shadow-core/src/test/resources/har/producers/mixed-quirks.har");
    Path out = dir.resolve("mixed.jsonl");
    Run r = shadow("import", "--from", "har", mixed, "--out", out);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines())
        .contains(
            "imported 18 exchange(s) from " + mixed + " into " + out,
            "skipped 4 entries: non-HTTP URL (data:) 1, non-HTTP URL (blob:) 1, non-HTTP URL (about:) 1, WebSocket 1",
            "adjusted 14 exchange(s) on import (tags): import.bodyDropped 3, import.headersSplit 1, import.bodyRebuilt 2,"
                + " import.responseSize 1, import.paramsNotRebuilt 1, import.bodyNotCaptured 2, import.contentEncoding 3,"
                + " import.contentLength 3, import.fromCache 2, import.httpVersion 1",
            "5 warning(s) (on stderr)");
    assertThat(r.err().lines())
        .hasSize(5)
        .allSatisfy(
            w ->
                assertThat(w)
                    .startsWith("warning: ")
                    .doesNotContain("token")
                    .doesNotContain("base64,"));
    assertThat(r.err().lines().filter(w -> w.contains("skipped 1 entr"))).hasSize(4);
    assertThat(r.err()).contains("1 entry had an httpVersion that is no HTTP version (\"ori\")");
    Run inspect = shadow("inspect", out);
    assertThat(inspect.code()).as(inspect.err()).isZero();
    assertThat(inspect.out())
        .contains("truncated bodies:  1")
        .contains("not captured:      2")
        .contains("import decisions:  import.bodyDropped 3, import.bodyNotCaptured 2");
  }

  @Test
  void importTakesARedactionFileLikeRecordAndRefusesItWithNoRedact() throws IOException {
    Path rules =
        Files.writeString(
            dir.resolve("redact.yaml"),
            "version: 1\njsonPaths: [\"$..email\"]\nqueryParams: [q]\n");
    Path out = dir.resolve("redacted.jsonl");
    Run r = shadow("import", "--from", "har", SHOP_HAR, "--out", out, "--redact", rules);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "redacted headers: Authorization, Cookie, Set-Cookie, Proxy-Authorization, X-Api-Key;"
                + " JSON paths: $..email; query parameters: q");
    assertThat(shadow("inspect", out).out()).contains("$..email");
    Run both =
        shadow(
            "import",
            "--from",
            "har",
            SHOP_HAR,
            "--out",
            dir.resolve("x.jsonl"),
            "--redact",
            rules,
            "--no-redact");
    assertThat(both.code()).isEqualTo(2);
    assertThat(oneLine(both.err()))
        .isEqualTo("error: --no-redact and --redact contradict each other");
    Run missing =
        shadow(
            "import",
            "--from",
            "har",
            SHOP_HAR,
            "--out",
            dir.resolve("y.jsonl"),
            "--redact",
            dir.resolve("nope.yaml"));
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("nope.yaml: no such file");
  }

  static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** A signed JWT's header and claims, as {@code --keep-jwt-claims} keeps them. */
  static final String JWT_KEPT =
      b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")
          + "."
          + b64("{\"sub\":\"42\",\"email\":\"ann@example.com\",\"exp\":1700003600}");

  /** 43 characters: the 32 bytes of an HMAC-SHA256. */
  static final String JWT_SIGNATURE = "hD9tS3cRetS1gnatureBytesOfTheIssuerXYZ01234";

  /** A HAR of one request with {@code Authorization: Bearer <jwt>} and a session cookie. */
  Path harWithJwt() throws IOException {
    return Files.writeString(
        dir.resolve("jwt.har"),
        """
        {"log": {"version": "1.2", "entries": [
          {"startedDateTime": "2026-11-24T10:00:00Z", "time": 1,
           "request": {"method": "GET", "url": "http://shop.test/api/me", "headers": [
             {"name": "authorization", "value": "Bearer %s.%s"},
             {"name": "Cookie", "value": "sid=cookie-secret"}]},
           "response": {"status": 200, "statusText": "OK", "headers": [],
                        "content": {"size": 2, "mimeType": "application/json", "text": "{}"}}}
        ]}}
        """
            .formatted(JWT_KEPT, JWT_SIGNATURE));
  }

  @Test
  void importWithKeepJwtClaimsKeepsTheTokensHeaderAndClaimsAndDropsItsSignature()
      throws IOException {
    Path out = dir.resolve("jwt.jsonl");
    Run r = shadow("import", "--from", "har", harWithJwt(), "--out", out, "--keep-jwt-claims");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "redacted headers: Authorization, Cookie, Set-Cookie, Proxy-Authorization, X-Api-Key;"
                + " JWT claims kept (signature dropped): Authorization");
    assertThat(Files.readString(out)).doesNotContain(JWT_SIGNATURE).doesNotContain("cookie-secret");
    try (RecordingReader reader = RecordingReader.open(out)) {
      assertThat(reader.header().redaction().jwt())
          .isEqualTo(new Redaction.Jwt(List.of("Authorization"), List.of()));
      Exchange e = reader.next();
      assertThat(e.request().headers().first("Authorization").orElseThrow())
          .isEqualTo("Bearer " + JWT_KEPT + ".REDACTED");
      assertThat(e.request().headers().first("Cookie").orElseThrow()).isEqualTo("[REDACTED]");
    }
    assertThat(shadow("inspect", out).out())
        .contains("JWT claims kept (signature dropped): Authorization");
  }

  @Test
  void keepJwtClaimsGoesWithARedactionFileAndContradictsNoRedact() throws IOException {
    Path rules =
        Files.writeString(
            dir.resolve("redact.yaml"), "version: 1\njwt:\n  sensitiveClaims: [email]\n");
    Path out = dir.resolve("jwt.jsonl");
    Run r =
        shadow(
            "import",
            "--from",
            "har",
            harWithJwt(),
            "--out",
            out,
            "--redact",
            rules,
            "--keep-jwt-claims");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("JWT claims kept (signature dropped): Authorization (sensitive claims: email)");
    assertThat(Files.readString(out)).doesNotContain(JWT_KEPT).contains(".REDACTED");
    Run both =
        shadow(
            "import",
            "--from",
            "har",
            harWithJwt(),
            "--out",
            dir.resolve("x.jsonl"),
            "--no-redact",
            "--keep-jwt-claims");
    assertThat(both.code()).isEqualTo(2);
    assertThat(oneLine(both.err()))
        .isEqualTo("error: --no-redact and --keep-jwt-claims contradict each other");
    assertThat(dir.resolve("x.jsonl")).doesNotExist();
  }

  @Test
  void importRefusesAnExistingOutputWithoutForceAndReplacesItWithForce() throws IOException {
    Path out = Files.writeString(dir.resolve("rec.jsonl"), "precious");
    Run refused = shadow("import", "--from", "har", SHOP_HAR, "--out", out);
    assertThat(refused.code()).isEqualTo(2);
    assertThat(oneLine(refused.err()))
        .isEqualTo("error: " + out + ": already exists; not overwritten (--force replaces it)");
    assertThat(Files.readString(out)).isEqualTo("precious");
    Run forced = shadow("import", "--from", "har", SHOP_HAR, "--out", out, "--force");
    assertThat(forced.code()).as(forced.err()).isZero();
    assertThat(forced.out()).contains("imported 7 exchange(s)");
  }

  @Test
  void exportRefusesAnExistingOutputWithoutForceAndReplacesItWithForce() throws IOException {
    Path rec = dir.resolve("rec.jsonl");
    assertThat(shadow("import", "--from", "har", SHOP_HAR, "--out", rec).code()).isZero();
    Path har = Files.writeString(dir.resolve("rec.har"), "precious");
    Run refused = shadow("export", "--to", "har", rec, "--out", har);
    assertThat(refused.code()).isEqualTo(2);
    assertThat(oneLine(refused.err()))
        .isEqualTo("error: " + har + ": already exists; not overwritten (--force replaces it)");
    assertThat(Files.readString(har)).isEqualTo("precious");
    assertThat(shadow("export", "--to", "har", rec, "--out", har, "--force").code()).isZero();
    assertThat(Files.readString(har)).contains("\"entries\"");
  }

  @Test
  void theInputIsNeverTheOutputEvenWithForce() throws IOException {
    Path har = Files.copy(SHOP_HAR, dir.resolve("shop.har"));
    byte[] before = Files.readAllBytes(har);
    Run same = shadow("import", "--from", "har", har, "--out", har, "--force");
    assertThat(same.code()).isEqualTo(2);
    assertThat(oneLine(same.err()))
        .isEqualTo(
            "error: "
                + har
                + ": is the input file; an import or export never writes over its input, even with --force");
    Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), har);
    Run viaLink = shadow("import", "--from", "har", har, "--out", link, "--force");
    assertThat(viaLink.code()).isEqualTo(2);
    assertThat(oneLine(viaLink.err())).contains("is the input file");
    assertThat(Files.readAllBytes(har)).isEqualTo(before);
    Path rec = dir.resolve("rec.jsonl");
    assertThat(shadow("import", "--from", "har", har, "--out", rec).code()).isZero();
    Run export =
        shadow("export", "--to", "har", rec, "--out", dir.resolve("x/../rec.jsonl"), "--force");
    assertThat(export.code()).isEqualTo(2);
    assertThat(oneLine(export.err())).contains("is the input file");
    assertThat(shadow("inspect", rec).out()).contains("exchanges:         7");
  }

  @Test
  void anOversizedHarBodyIsCutWithOneWarningAndInspectReadsTheResult() throws IOException {
    Path har = harWithBody(200_000);
    Path rec = dir.resolve("rec.jsonl.gz");
    Run imported = shadow("import", "--from", "har", har, "--out", rec, "--max-body", "64KiB");
    assertThat(imported.code()).as(imported.err()).isZero();
    assertThat(oneLine(imported.err()))
        .isEqualTo(
            "warning: "
                + har
                + ": 1 body longer than 65536 bytes was cut to 65536 bytes (flagged truncated, with the real size)");
    Run inspect = shadow("inspect", rec);
    assertThat(inspect.code()).as(inspect.err()).isZero();
    assertThat(inspect.out()).contains("exchanges:         1").contains("truncated bodies:  1");
  }

  @Test
  void aGorFileWithoutSeparatorsExitsTwoWithOneLine() throws IOException {
    Path notGor = dir.resolve("app.log");
    Files.writeString(notGor, "2026-11-24 10:00:00 INFO started\n".repeat(100_000));
    Path out = dir.resolve("r.jsonl");
    Run run = shadow("import", "--from", "gor", notGor, "--out", out);
    assertThat(run.code()).isEqualTo(2);
    assertThat(oneLine(run.err()))
        .isEqualTo(
            "error: "
                + notGor
                + ":1: bad payload header \"2026-11-24 10:00:00 INFO started\" "
                + "(expected 'TYPE ID TIMESTAMP [LATENCY]' with TYPE 1, 2 or 3)");
    assertThat(out).doesNotExist();
  }

  @Test
  void aBadMaxBodyExitsTwo() {
    Run run =
        shadow(
            "import",
            "--from",
            "har",
            SHOP_HAR,
            "--out",
            dir.resolve("r.jsonl"),
            "--max-body",
            "1GiB");
    assertThat(run.code()).isEqualTo(2);
    assertThat(oneLine(run.err()))
        .isEqualTo("error: --max-body must be at most 100MiB, got \"1GiB\"");
    assertThat(dir.resolve("r.jsonl")).doesNotExist();
  }
}
