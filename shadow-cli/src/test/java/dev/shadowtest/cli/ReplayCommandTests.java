package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class ReplayCommandTests {

  @TempDir Path dir;

  HttpServer server;
  final List<String> seen = new CopyOnWriteArrayList<>();

  /** A candidate that answers the example shop's product endpoint with a changed price. */
  @BeforeEach
  void startCandidate() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext(
        "/",
        ex -> {
          seen.add(ex.getRequestMethod() + " " + ex.getRequestURI());
          byte[] body =
              ex.getRequestURI().getPath().equals("/api/products/42")
                  ? "{\"id\": 42, \"name\": \"Blue mug \\u2615\", \"price\": {\"amount\": 13.5, \"currency\": \"EUR\"}, \"tags\": [\"kitchen\", \"gift\"]}"
                      .getBytes(StandardCharsets.UTF_8)
                  : "{}".getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String candidate() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void replaysAHarImportedRecordingAsTheReadmeShows() throws IOException {
    Path rec = dir.resolve("r.jsonl");
    assertThat(
            shadow(
                    "import",
                    "--from",
                    "har",
                    ShadowCliTests.EXAMPLES.resolve("shop.har"),
                    "--out",
                    rec)
                .code())
        .isZero();
    Path out = dir.resolve("out");
    ShadowCliTests.Run run =
        shadow("replay", "--recording", rec, "--candidate", candidate(), "--out", out);
    assertThat(run.code()).as(run.err()).isEqualTo(1); // the candidate differs: the gate fails
    assertThat(run.out())
        .contains("GET /api/products/{id}")
        .contains("GATE FAILED: discrepancy rate")
        .contains("report: " + out.resolve("report.html").toAbsolutePath());
    assertThat(seen).doesNotContain("POST /api/carts", "POST /api/search"); // unsafe: skipped
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertThat(s.get("exchanges").asLong()).isEqualTo(7);
    assertThat(s.get("skipped").asLong()).isEqualTo(2);
    assertThat(s.get("noBaseline").asLong()).isEqualTo(1); // the HAR entry without response
    assertThat(Files.exists(out.resolve("results.jsonl.gz"))).isTrue();
    assertThat(out.resolve("discrepancies.csv")).isRegularFile();
    assertThat(Files.readString(out.resolve("report.html"))).contains("GET /api/products/{id}");
  }

  @Test
  void aVersionTwoRecordingReplaysExactlyAsVersionOne() throws IOException {
    Path har = ShadowCliTests.EXAMPLES.resolve("shop.har");
    Path v1 = dir.resolve("v1.jsonl");
    Path v2 = dir.resolve("v2.jsonl.gz");
    assertThat(shadow("import", "--from", "har", har, "--out", v1).code()).isZero();
    ShadowCliTests.Run imported =
        shadow("import", "--from", "har", har, "--out", v2, "--recording-version", "2");
    assertThat(imported.code()).as(imported.err()).isZero();
    assertThat(shadow("inspect", v2).out()).contains("shadow-recording v2");
    // back to version 1: the same lines as the direct import (the header's time aside)
    Path back = dir.resolve("back.jsonl");
    ShadowCliTests.Run exported =
        shadow("export", "--to", "recording", v2, "--out", back, "--recording-version", "1");
    assertThat(exported.code()).as(exported.err()).isZero();
    assertThat(Files.readAllLines(back).subList(1, 8))
        .containsExactlyElementsOf(Files.readAllLines(v1).subList(1, 8));
    JsonNode[] summaries = new JsonNode[2];
    Path[] recordings = {v1, v2};
    for (int i = 0; i < 2; i++) {
      Path out = dir.resolve("out" + i);
      ShadowCliTests.Run run =
          shadow("replay", "--recording", recordings[i], "--candidate", candidate(), "--out", out);
      assertThat(run.code()).as(run.err()).isEqualTo(1);
      summaries[i] = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
      summaries[i].get("endpoints").forEach(e -> ((ObjectNode) e).remove("latency")); // timings
    }
    for (String field :
        new String[] {"exchanges", "skipped", "compared", "discrepant", "endpoints"}) {
      assertThat(summaries[1].get(field)).as(field).isEqualTo(summaries[0].get(field));
    }
    assertThat(summaries[1].get("discrepant").asLong()).isPositive();
    ShadowCliTests.Run bad =
        shadow(
            "import",
            "--from",
            "har",
            har,
            "--out",
            dir.resolve("x.jsonl"),
            "--recording-version",
            "3");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--recording-version must be 1 or 2, got 3");
  }

  @Test
  void shardsAndMergeThroughTheCli() throws IOException {
    Path rec = dir.resolve("r.jsonl.gz");
    shadow("import", "--from", "har", ShadowCliTests.EXAMPLES.resolve("shop.har"), "--out", rec);
    shadow(
        "replay",
        "--recording",
        rec,
        "--candidate",
        candidate(),
        "--out",
        dir.resolve("s1"),
        "--shard",
        "1/2");
    shadow(
        "replay",
        "--recording",
        rec,
        "--candidate",
        candidate(),
        "--out",
        dir.resolve("s2"),
        "--shard",
        "2/2");
    ShadowCliTests.Run merged =
        shadow("merge", "--out", dir.resolve("all"), dir.resolve("s1"), dir.resolve("s2"));
    assertThat(merged.code()).isEqualTo(1);
    JsonNode s = new ObjectMapper().readTree(dir.resolve("all/summary.json").toFile());
    assertThat(s.get("exchanges").asLong()).isEqualTo(7);
  }

  @Test
  void badInputExitsTwo() {
    assertThat(
            shadow(
                    "replay",
                    "--recording",
                    dir.resolve("none.jsonl"),
                    "--candidate",
                    candidate(),
                    "--out",
                    dir.resolve("o"))
                .err())
        .contains("none.jsonl: no such file");
    ShadowCliTests.Run badUrl =
        shadow(
            "replay",
            "--recording",
            dir.resolve("none.jsonl"),
            "--candidate",
            "ftp://x",
            "--out",
            dir.resolve("o"));
    assertThat(badUrl.code()).isEqualTo(2);
    assertThat(badUrl.err()).contains("candidate must be an http(s) URL");
    assertThat(
            shadow(
                    "replay",
                    "--recording",
                    "x",
                    "--candidate",
                    candidate(),
                    "--out",
                    "o",
                    "--rate",
                    "5",
                    "--speed",
                    "2")
                .code())
        .isEqualTo(2);
    assertThat(
            shadow(
                    "replay",
                    "--recording",
                    "x",
                    "--candidate",
                    candidate(),
                    "--out",
                    "o",
                    "--shard",
                    "3/2")
                .err())
        .contains("shard must be I/N");
    assertThat(shadow("merge", "--out", dir.resolve("m"), dir.resolve("nothing")).err())
        .contains("not a Shadow run directory");
    Path once = dir.resolve("once.jsonl");
    ShadowCliTests.Run twice =
        shadow(
            "replay",
            "--recording",
            once,
            "--recording",
            dir.resolve("sub/../once.jsonl"),
            "--candidate",
            candidate(),
            "--out",
            dir.resolve("o"));
    assertThat(twice.code()).isEqualTo(2);
    assertThat(twice.err()).contains("the same recording is given twice");
    for (String header :
        new String[] {
          "bad header=x",
          "X:Y=v",
          "X-\u00dc=v",
          "X-Ok=a\nInjected: b",
          "Content-Length=5",
          "transfer-encoding=chunked"
        }) {
      ShadowCliTests.Run badHeader =
          shadow(
              "replay",
              "--recording",
              "x",
              "--candidate",
              candidate(),
              "--out",
              "o",
              "--header",
              header);
      assertThat(badHeader.code()).as(header).isEqualTo(2);
      assertThat(badHeader.err()).as(header).contains("--header");
    }
  }

  @Test
  void theDemoPrintsTheTableAndExitsOneByDesign() {
    ShadowCliTests.Run run = shadow("demo", "--out", dir.resolve("demo"), "--exchanges", "300");
    assertThat(run.code()).as(run.err()).isEqualTo(1);
    assertThat(run.out())
        .contains("GET /api/products/{id}")
        .contains("GET /api/users/{id}")
        .contains("GATE FAILED")
        .contains("This is the expected demo outcome");
    assertThat(dir.resolve("demo/summary.json")).exists();
    assertThat(dir.resolve("demo/recording.jsonl.gz")).exists();
    assertThat(dir.resolve("demo/shadow-rules.yaml")).exists();
    assertThat(run.out()).contains("report: " + dir.resolve("demo/report.html").toAbsolutePath());
    assertThat(dir.resolve("demo/report.html"))
        .content()
        .contains("GET /api/products/{id}")
        .contains("$.price.amount");
    assertThat(dir.resolve("demo/discrepancies.csv")).content().contains("\"$.price.amount\"");
  }
}
