package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.shadowtest.cli.demo.Demo;
import dev.shadowtest.cli.demo.DemoServices;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.testing.LoopbackServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-judging a stored run with other rules ({@code shadow report --rules}) gives exactly the
 * summary a fresh replay with those rules gives, for every kind of rule and of body, from the
 * pseudonymised responses the run kept; what it cannot tell is refused with exit 2.
 */
@Timeout(300)
class RejudgeTests {

  @TempDir Path dir;

  private final List<LoopbackServer> servers = new ArrayList<>();
  private URI primary;
  private URI secondary;
  private URI candidate;

  static final String RUN_RULES =
      """
      version: 1
      defaults:
        normalizeHeaders:
          ETag: {pattern: "v[0-9]-", replace: ""}
      endpoints:
        - match: "GET /json/{id}"
          numericTolerance: 0.01
      """;

  /** Rule sets each re-judged from the stored run and compared with a fresh replay. */
  static final List<String> OTHER_RULES =
      List.of(
          // stricter: no tolerance, and the ETag pattern gone
          """
          version: 1
          """,
          // more lenient: ignores, ignored headers, tolerance, lenient types, arrays
          """
          version: 1
          defaults:
            ignoreHeaders: [ETag, X-Trace]
            ignore: ["$.price", "$..note"]
          endpoints:
            - match: "GET /json/{id}"
              numericTolerance: 0.001
              lenientTypes: true
              unorderedArrays: ["$.tags"]
              keyedArrays: {"$.items": "k"}
            - match: "GET /skip/{id}"
              skip: true
          """,
          // accepted differences, byStatus, projections, extra fields, null as absent
          """
          version: 1
          defaults:
            normalizeHeaders:
              ETag: {pattern: "v[0-9]-", replace: ""}
            accepted:
              - {path: "$.count", type: TYPE, reason: "ids became strings"}
            byStatus:
              "404": {ignore: ["$"]}
          endpoints:
            - match: "GET /json/{id}"
              treatNullAsAbsent: true
              extraFieldsAllowed: true
            - match: "GET /wrapped/{id}"
              candidateRoot: "$.data"
          noise:
            minSamples: 5
          """,
          // other endpoint templates, per-query splitting, an ignore on XML, text, form and binary
          """
          version: 1
          defaults:
            ignore: ["$.ts"]
            splitByQueryNames: true
          endpoints:
            - match: "GET /text/{id}"
              ignore: ["$"]
            - match: "GET /xml/{id}"
              ignoreHeaders: [X-Trace]
            - match: "GET /bin/{id}"
              ignore: ["$"]
          """,
          // a comparator's own option
          """
          version: 1
          endpoints:
            - match: "GET /text/{id}"
              comparators:
                text: {ignoreTrailingWhitespace: true}
          """);

  @BeforeEach
  void start() throws IOException {
    primary = server("primary");
    secondary = server("secondary");
    candidate = server("candidate");
  }

  @AfterEach
  void stop() {
    servers.forEach(LoopbackServer::close);
  }

  @Test
  void reJudgingGivesTheSummaryOfAFreshReplayForEveryRuleSet() throws IOException {
    Path recording = recording();
    Path runRules = write("run-rules.yaml", RUN_RULES);
    Path run = dir.resolve("run");
    replay(recording, runRules, run);
    int n = 0;
    for (String yaml : OTHER_RULES) {
      n++;
      Path rules = write("rules-" + n + ".yaml", yaml);
      Path fresh = dir.resolve("fresh-" + n);
      replay(recording, rules, fresh);
      Path rejudged = dir.resolve("rejudged-" + n);
      ShadowCliTests.Run r =
          shadow("report", "--results", run, "--out", rejudged, "--rules", rules);
      assertThat(r.code()).as(r.out() + r.err()).isZero();
      assertThat(r.out()).as(r.err()).contains("re-judged");
      assertThat(judgement(rejudged)).as("rule set %d:\n%s", n, yaml).isEqualTo(judgement(fresh));
      // the re-judged directory is a run of its own: judged again, it stays the same
      Path again = dir.resolve("again-" + n);
      ShadowCliTests.Run back =
          shadow("report", "--results", rejudged, "--out", again, "--rules", runRules);
      assertThat(back.code()).as("again %d: %s", n, back.err()).isZero();
      assertThat(judgement(again)).isEqualTo(judgement(run));
    }
    // the rule sets did change the numbers: the test is not comparing a constant
    assertThat(judgement(dir.resolve("fresh-1"))).isNotEqualTo(judgement(run));
    assertThat(judgement(dir.resolve("fresh-2"))).isNotEqualTo(judgement(run));
  }

  @Test
  void shardsJudgedByOtherRulesAreReJudgedWhenMerged() throws IOException {
    Path recording = recording();
    Path runRules = write("run-rules.yaml", RUN_RULES);
    Path other = write("other.yaml", OTHER_RULES.get(1));
    replay(recording, runRules, dir.resolve("s1"), "--shard", "1/2");
    replay(recording, runRules, dir.resolve("s2"), "--shard", "2/2");
    ShadowCliTests.Run merged =
        shadow(
            "merge",
            "--out",
            dir.resolve("merged"),
            "--rules",
            other,
            dir.resolve("s1"),
            dir.resolve("s2"));
    assertThat(merged.code()).as(merged.err()).isIn(0, 1);
    replay(recording, other, dir.resolve("fresh"));
    assertThat(judgement(dir.resolve("merged"))).isEqualTo(judgement(dir.resolve("fresh")));
    // and the merged run can be re-judged in turn
    ShadowCliTests.Run back =
        shadow(
            "report",
            "--results",
            dir.resolve("merged"),
            "--out",
            dir.resolve("back"),
            "--rules",
            runRules);
    assertThat(back.code()).as(back.err()).isZero();
    replay(recording, runRules, dir.resolve("fresh-run"));
    assertThat(judgement(dir.resolve("back"))).isEqualTo(judgement(dir.resolve("fresh-run")));
  }

  @Test
  void theKeptResponsesHoldNoValueOfTheResponses() throws IOException {
    Path run = dir.resolve("run");
    replay(recording(), write("run-rules.yaml", RUN_RULES), run);
    Path kept = run.resolve("responses.jsonl.gz");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)))
        .isEqualTo("rw-------");
    String text;
    try (var in = new GZIPInputStream(Files.newInputStream(kept))) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(text)
        .contains("~p:")
        .doesNotContain("secret-name")
        .doesNotContain("line two of")
        .doesNotContain("trace-primary")
        .doesNotContain("s-sku")
        .doesNotContain("hello-form")
        .doesNotContain("127.0.0.1");
  }

  @Test
  void whatCannotBeReJudgedIsRefusedWithTheReason() throws IOException {
    Path recording = recording();
    Path run = dir.resolve("run");
    replay(recording, write("run-rules.yaml", RUN_RULES), run);

    ShadowCliTests.Run origins =
        shadow(
            "report",
            "--results",
            run,
            "--out",
            dir.resolve("o1"),
            "--rules",
            write("o.yaml", "version: 1\ndefaults:\n  normalizeOrigins: false\n"));
    assertThat(origins.code()).isEqualTo(2);
    assertThat(origins.err()).contains("normalizeOrigins off");
    assertThat(dir.resolve("o1"))
        .as("a refused re-judging leaves no output directory")
        .doesNotExist();

    ShadowCliTests.Run header =
        shadow(
            "report",
            "--results",
            run,
            "--out",
            dir.resolve("o2"),
            "--rules",
            write(
                "h.yaml",
                "version: 1\ndefaults:\n  normalizeHeaders:\n    X-Trace: {pattern: \"-.*\", replace: \"\"}\n"));
    assertThat(header.code()).isEqualTo(2);
    assertThat(header.err()).contains("normalise header x-trace").contains("pseudonymised");

    ShadowCliTests.Run transforms =
        shadow(
            "report",
            "--results",
            run,
            "--out",
            dir.resolve("o3"),
            "--rules",
            write(
                "t.yaml",
                "version: 1\ntransforms:\n  - match: \"GET /json/{id}\"\n    candidate:\n      path: \"/v2/json/{id}\"\n"));
    assertThat(transforms.code()).isEqualTo(2);
    assertThat(transforms.err()).contains("transforms");

    // a run that skipped an endpoint never sent it
    Path skipping = dir.resolve("skipping");
    replay(
        recording,
        write("s.yaml", "version: 1\nendpoints:\n  - match: \"GET /skip/{id}\"\n    skip: true\n"),
        skipping);
    ShadowCliTests.Run skipped =
        shadow(
            "report",
            "--results",
            skipping,
            "--out",
            dir.resolve("o4"),
            "--rules",
            write("none.yaml", "version: 1\n"));
    assertThat(skipped.code()).isEqualTo(2);
    assertThat(skipped.err()).contains("skipped by rule GET /skip/{id}").contains("never sent");

    // a run that kept no responses, and one over its budget
    Path none = dir.resolve("none");
    replay(recording, write("r.yaml", RUN_RULES), none, "--rejudge-budget", "0");
    ShadowCliTests.Run nothing =
        shadow(
            "report",
            "--results",
            none,
            "--out",
            dir.resolve("o5"),
            "--rules",
            write("none2.yaml", "version: 1\n"));
    assertThat(nothing.code()).isEqualTo(2);
    assertThat(nothing.err()).contains("keeps no responses");
    Path small = dir.resolve("small");
    replay(recording, write("r2.yaml", RUN_RULES), small, "--rejudge-budget", "20KiB");
    ShadowCliTests.Run over =
        shadow(
            "report",
            "--results",
            small,
            "--out",
            dir.resolve("o6"),
            "--rules",
            write("none3.yaml", "version: 1\n"));
    assertThat(over.code()).isEqualTo(2);
    assertThat(over.err()).contains("within its budget").contains("--rejudge-budget");
    // nothing refused left a half-written output behind
    assertThat(dir.resolve("o6").resolve("results.jsonl.gz")).doesNotExist();
  }

  @Test
  void theDemoRunReJudgedWithAnExtraIgnoreGivesTheNumbersOfAFreshReplay() throws IOException {
    Path demo = dir.resolve("demo");
    Demo.run(demo, Demo.EXCHANGES, ShadowListener.NONE);
    String extra =
        DemoServices.rulesYaml()
            .replace(
                "    numericTolerance: 0.001",
                "    numericTolerance: 0.001\n    ignore: [\"$.price.amount\"]");
    assertThat(extra).isNotEqualTo(DemoServices.rulesYaml());
    Path rules = write("demo-extra.yaml", extra);
    Path rejudged = dir.resolve("demo-rejudged");
    ShadowCliTests.Run r = shadow("report", "--results", demo, "--out", rejudged, "--rules", rules);
    assertThat(r.code()).as(r.err()).isZero();

    Path fresh = dir.resolve("demo-fresh");
    try (DemoServices services = DemoServices.start()) {
      ShadowCliTests.Run f =
          shadow(
              "replay",
              "--recording",
              demo.resolve("recording.jsonl.gz"),
              "--candidate",
              services.candidate(),
              "--primary",
              services.legacy(),
              "--secondary",
              services.legacyTwin(),
              "--rules",
              rules,
              "--out",
              fresh);
      assertThat(f.code()).as(f.err()).isIn(0, 1);
    }
    assertThat(judgement(rejudged)).isEqualTo(judgement(fresh));
    JsonNode s = new ObjectMapper().readTree(rejudged.resolve("summary.json").toFile());
    assertThat(s.get("discrepant").asLong())
        .isLessThan(
            new ObjectMapper()
                .readTree(demo.resolve("summary.json").toFile())
                .get("discrepant")
                .asLong());
  }

  // ---- fixtures --------------------------------------------------------------------------

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private void replay(Path recording, Path rules, Path out, String... more) {
    List<Object> args =
        new ArrayList<>(
            List.of(
                "replay",
                "--recording",
                recording,
                "--candidate",
                candidate,
                "--primary",
                primary,
                "--secondary",
                secondary,
                "--rules",
                rules,
                "--concurrency",
                "4",
                "--out",
                out));
    args.addAll(List.of(more));
    ShadowCliTests.Run r = shadow(args.toArray());
    assertThat(r.code()).as(r.out() + r.err()).isIn(0, 1);
  }

  /** A recording of GETs over every kind of body the fixture serves, and a POST (skipped). */
  private Path recording() {
    Path file = dir.resolve("recording.jsonl.gz");
    try (RecordingWriter w =
        RecordingWriter.create(file, RecordingHeader.now("test", Redaction.defaults()))) {
      int id = 0;
      for (int i = 1; i <= 40; i++) {
        for (String p :
            List.of(
                "/json/" + i,
                "/json/" + i + "?page=" + (i % 3),
                "/xml/" + i,
                "/text/" + i,
                "/form/" + i,
                "/bin/" + i,
                "/status/" + i,
                "/wrapped/" + i,
                "/skip/" + i)) {
          w.write(
              Exchange.of(
                  "x" + (++id),
                  new HttpRequest(
                      "GET", p, "HTTP/1.1", Headers.of("Host", "shop.example"), Body.none()),
                  new HttpResponse(
                      200, "OK", Headers.of("Content-Type", "text/plain"), Body.text("recorded"))));
        }
      }
      w.write(
          Exchange.of(
              "x" + (++id),
              new HttpRequest(
                  "POST", "/cart", "HTTP/1.1", Headers.of("Host", "shop.example"), Body.text("{}")),
              new HttpResponse(201, "Created", Headers.empty(), Body.none())));
    }
    return file;
  }

  private URI server(String role) {
    LoopbackServer s = LoopbackServer.start(4, ex -> answer(ex, role));
    servers.add(s);
    return s.uri();
  }

  /** Deterministic answers; the candidate differs in seeded ways, the secondary in noise. */
  private static void answer(HttpExchange ex, String role) throws IOException {
    String path = ex.getRequestURI().getPath();
    String host = ex.getRequestHeaders().getFirst("Host");
    int i = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
    boolean cand = role.equals("candidate");
    String type = "application/json; charset=UTF-8";
    byte[] body;
    int status = 200;
    ex.getResponseHeaders().add("X-Trace", "trace-" + role + "-" + i);
    ex.getResponseHeaders().add("ETag", "W/\"" + (cand && i % 7 == 0 ? "v2-" : "v1-") + i + "\"");
    if (path.startsWith("/json/") || path.startsWith("/skip/")) {
      String price =
          cand && i % 5 == 0
              ? (10 + i + 1) + ".0"
              : cand && i % 3 == 0 ? (10 + i) + ".0005" : (10 + i) + ".0";
      String count = cand && i % 2 == 0 ? "\"7\"" : "7";
      String tags = cand && i % 4 == 0 ? "[\"b\",\"a\"]" : "[\"a\",\"b\"]";
      String items =
          cand && i % 6 == 0
              ? "[{\"k\":2,\"v\":\"y\"},{\"k\":1,\"v\":\"x\"}]"
              : "[{\"k\":1,\"v\":\"x\"},{\"k\":2,\"v\":\"y\"}]";
      String extra = cand && i % 8 == 0 ? ",\"added\":true" : "";
      String nul = cand && i % 9 == 0 ? ",\"gone\":null" : "";
      String note = cand && i % 10 == 0 ? "changed" : "same";
      String ts =
          role.equals("secondary") && i % 2 == 1 ? "2026-11-26T00:00:01Z" : "2026-11-26T00:00:00Z";
      body =
          ("{\"id\":"
                  + i
                  + ",\"name\":\"secret-name-"
                  + i
                  + "\",\"price\":"
                  + price
                  + ",\"count\":"
                  + count
                  + ",\"tags\":"
                  + tags
                  + ",\"items\":"
                  + items
                  + ",\"meta\":{\"note\":\""
                  + note
                  + "\"},\"ts\":\""
                  + ts
                  + "\",\"self\":\"http://"
                  + host
                  + "/json/"
                  + i
                  + "\""
                  + extra
                  + nul
                  + "}")
              .getBytes(StandardCharsets.UTF_8);
    } else if (path.startsWith("/xml/")) {
      type = "application/xml";
      body =
          ("<order id=\"o"
                  + i
                  + "\"><line sku=\"s-sku-"
                  + (cand && i % 3 == 0 ? "x" : "")
                  + i
                  + "\">item "
                  + i
                  + "</line><note>"
                  + (cand && i % 4 == 0 ? "other" : "same")
                  + "</note></order>")
              .getBytes(StandardCharsets.UTF_8);
    } else if (path.startsWith("/text/")) {
      type = "text/plain";
      body =
          ("line one"
                  + (cand && i % 6 == 0 ? "  " : "")
                  + "\nline two of "
                  + i
                  + (cand && i % 4 == 0 ? " changed" : "")
                  + "\nline three\n")
              .getBytes(StandardCharsets.UTF_8);
    } else if (path.startsWith("/form/")) {
      type = "application/x-www-form-urlencoded";
      body =
          ("a=1&b=hello-form-" + i + (cand && i % 5 == 0 ? "-x" : "") + "&c=%20sp")
              .getBytes(StandardCharsets.UTF_8);
    } else if (path.startsWith("/bin/")) {
      type = "application/octet-stream";
      body = new byte[] {(byte) 0xff, (byte) i, (byte) (cand && i % 6 == 0 ? 1 : 0), (byte) 0x80};
    } else if (path.startsWith("/status/")) {
      if (cand && i % 5 == 0) {
        status = 404;
        body = ("{\"error\":\"not found " + i + "\"}").getBytes(StandardCharsets.UTF_8);
      } else {
        body = ("{\"ok\":true,\"id\":" + i + "}").getBytes(StandardCharsets.UTF_8);
      }
    } else {
      // /wrapped: the candidate wraps its body in an envelope
      String inner = "{\"id\":" + i + ",\"v\":\"w" + (cand && i % 7 == 0 ? "x" : "") + "\"}";
      body =
          (cand ? "{\"data\":" + inner + ",\"page\":1}" : inner).getBytes(StandardCharsets.UTF_8);
    }
    LoopbackServer.send(ex, status, type, body);
  }

  /** The summary without what differs between two runs of the same judgement (times, latencies). */
  static JsonNode judgement(Path run) throws IOException {
    ObjectNode s = (ObjectNode) new ObjectMapper().readTree(run.resolve("summary.json").toFile());
    s.remove(
        List.of(
            "startedAt", "finishedAt", "recording", "candidate", "primary", "secondary", "late"));
    for (JsonNode e : s.path("endpoints")) {
      ((ObjectNode) e).remove("latency");
    }
    ObjectNode gate = (ObjectNode) s.path("gate");
    gate.remove("failures");
    if (s.path("gate").has("latency")) {
      gate.remove("latency");
    }
    return s;
  }
}
