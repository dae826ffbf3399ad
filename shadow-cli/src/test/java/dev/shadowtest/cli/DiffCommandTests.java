package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingReader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DiffCommandTests {

  static final String RULES =
      """
      version: 1
      defaults:
        ignore: ["$.meta.generatedAt"]
      endpoints:
        - match: "GET /api/products/{id}"
          numericTolerance: 1
      """;

  @TempDir Path dir;

  Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  @Test
  void sameBodiesExitZeroDifferentOnesOneWithEachDifference() throws IOException {
    Path a = write("a.json", "{\"id\":1,\"price\":10.00,\"meta\":{\"generatedAt\":\"x\"}}");
    Path b = write("b.json", "{\"id\":1,\"price\":10.5,\"meta\":{\"generatedAt\":\"y\"}}");
    Path rules = write("rules.yaml", RULES);
    ShadowCliTests.Run strict = shadow("diff", a, b);
    assertThat(strict.code()).isEqualTo(1);
    assertThat(strict.out())
        .contains("VALUE $.price: expected 10.00, actual 10.5")
        .contains("VALUE $.meta.generatedAt: expected \"x\", actual \"y\"")
        .contains("2 difference(s)");
    ShadowCliTests.Run ruled =
        shadow("diff", a, b, "--rules", rules, "--endpoint", "GET /api/products/{id}");
    assertThat(ruled.code()).as(ruled.out() + ruled.err()).isZero();
    assertThat(ruled.out()).contains("same");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "version: 1\\ndefaults:\\n  ignor: []\\n|:3: ignor: unknown key in defaults",
        "version: 1\\ndefaults:\\n  ignore: [\"$.a[x]\"]\\n|:3: defaults.ignore: bad path",
        "version: 1\\ndefaults:\\n  numericTolerance: much\\n|:3: defaults.numericTolerance: bad tolerance",
        "version: 1\\nendpoints:\\n  - match: GET /a\\n  - match: GET /a\\n|:4: match: duplicate endpoint"
      })
  void badRulesExitTwoWithFileAndLine(String yaml, String message) throws IOException {
    Path rules = write("rules.yaml", yaml.replace("\\n", "\n"));
    Path a = write("a.json", "{}");
    ShadowCliTests.Run run = shadow("diff", a, a, "--rules", rules);
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).startsWith("error: " + rules + message);
  }

  @Test
  void recordingsAreComparedExchangeByExchange() throws IOException {
    Path left = dir.resolve("left.jsonl");
    assertThat(
            shadow(
                    "import",
                    "--from",
                    "har",
                    ShadowCliTests.EXAMPLES.resolve("shop.har"),
                    "--out",
                    left)
                .code())
        .isZero();
    Path right = dir.resolve("right.jsonl.gz");
    try (RecordingReader r = RecordingReader.open(left);
        RecordingWriter w =
            RecordingWriter.create(right, RecordingHeader.now("test", Redaction.none()))) {
      int i = 0;
      while (r.hasNext()) {
        Exchange e = r.next();
        if (i++ == 1 && e.response() != null) { // change the product list
          HttpResponse changed =
              e.response()
                  .withBody(
                      Body.text(
                          ((Body.Text) e.response().body())
                              .text()
                              .replace("\"page\": 2", "\"page\": 3")));
          e = e.withResponse(changed);
        }
        w.write(e);
      }
    }
    ShadowCliTests.Run run = shadow("diff", left, right);
    assertThat(run.code()).as(run.err()).isEqualTo(1);
    assertThat(run.out())
        .contains("GET /api/products?category=kitchen&page=2")
        .contains("VALUE $.page: expected 2, actual 3")
        .contains("7 compared, 1 different, 0 only in");
    assertThat(shadow("diff", left, left).code()).isZero();
    assertThat(shadow("diff", left, ShadowCliTests.EXAMPLES.resolve("shop.har")).err())
        .contains("cannot compare a recording with a body file");
  }

  @Test
  void missingFilesExitTwo() {
    ShadowCliTests.Run run = shadow("diff", dir.resolve("nope.json"), dir.resolve("nope2.json"));
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("nope.json: no such file");
  }

  @Test
  void differencesTheRulesAcceptDoNotFailTheDiff() throws IOException {
    Path a = write("a.json", "{\"id\":1,\"legacyId\":9}");
    Path b = write("b.json", "{\"id\":\"1\"}");
    Path rules =
        write(
            "accepting.yaml",
            """
        version: 1
        defaults:
          lenientTypes: true
          accepted:
            - {path: "$.legacyId", type: MISSING, reason: "internal id dropped"}
        """);
    ShadowCliTests.Run strict = shadow("diff", a, b);
    assertThat(strict.code()).isEqualTo(1);
    ShadowCliTests.Run ruled = shadow("diff", a, b, "--rules", rules);
    assertThat(ruled.code()).as(ruled.out()).isZero();
    assertThat(ruled.out())
        .contains("MISSING $.legacyId: expected 9, actual (absent) (accepted: internal id dropped)")
        .contains("same but for 1 accepted difference(s)");
  }

  @Test
  void endlessOrHugeBodyFilesExitTwoWithOneLine() throws IOException {
    Path ok = write("ok.json", "{}");
    ShadowCliTests.Run zero = shadow("diff", "/dev/zero", ok);
    assertThat(zero.code()).isEqualTo(2);
    assertThat(zero.err())
        .isEqualTo(
            "error: /dev/zero: is larger than 67108864 bytes, the most shadow diff compares"
                + " (--max-body raises it)"
                + System.lineSeparator());
  }

  @Test
  void largeRecordingsAreComparedUnderASmallHeap() throws Exception {
    Path a = dir.resolve("a.jsonl.gz");
    Path b = dir.resolve("b.jsonl.gz");
    String pad = "p".repeat(2_000);
    for (Path p : new Path[] {a, b}) {
      try (RecordingWriter w =
          RecordingWriter.create(p, RecordingHeader.now("test", Redaction.none()))) {
        for (int i = 0; i < 40_000; i++) {
          w.write(
              new Exchange(
                  p.getFileName() + "-" + i,
                  null,
                  null,
                  HttpRequest.of("GET", "/x/" + i),
                  new HttpResponse(
                      200,
                      "OK",
                      Headers.of("Content-Type", "application/json"),
                      Body.text("{\"i\":" + i + ",\"pad\":\"" + pad + "\"}")),
                  null,
                  Map.of()));
        }
      }
    }
    Process p =
        ShadowCliTests.process(
                "-Xmx48m", "diff", a.toString(), b.toString(), "--match-by", "request")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("40000 compared, 0 different, 0 only in");
  }

  @Test
  void runningOutOfMemoryExitsThreeWithOneLineNeverOne() throws Exception {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < 400_000; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"i\":").append(i).append(",\"s\":\"abcdefghij\"}");
    }
    String json = sb.append(']').toString(); // about 12 MB: its tree needs far more than 32 MB
    Path a = write("a.json", json);
    Path b = write("b.json", json.replace("abcdefghij", "abcdefghik"));
    Process p =
        ShadowCliTests.process("-Xmx32m", "diff", a.toString(), b.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isEqualTo(3);
    assertThat(output).startsWith("error: internal error: out of memory").doesNotContain("\tat ");
  }
}
