package dev.shadowtest.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.shadowtest.core.HarImporter;
import dev.shadowtest.core.ImportOptions;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.internal.BrotliStreams;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.ResultsFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each producer fixture of shadow-core ({@code har/producers/}), imported as a user would (redacted,
 * defaults), replayed against a server that answers every recorded request the way a real server
 * does: no body on a 304, 204 or HEAD, separate {@code Set-Cookie} lines, the body compressed in
 * the coding the browser saw when the request accepts it, the whole body where the producer kept a
 * part or none. Every exchange that is sent must MATCH.
 */
class HarProducerReplayTests {

  static final Path PRODUCERS = Path.of("../shadow-core/src/test/resources/har/producers");
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "chrome-304-with-body",
        "firefox-304-204-head",
        "chrome-har-joined-headers",
        "zap-form-post",
        "mitmproxy-compressed-size",
        "fiddler-size-exceeds",
        "chrome-non-http-entries",
        "params-json-and-encoding",
        "chrome-websocket",
        "chrome-brotli-gzip",
        "chrome-from-cache",
        "webpagetest-no-bodies",
        "junk-versions-and-times",
        "chrome-latin1-charset",
        "playwright-attach",
        "mixed-quirks"
      })
  void everySentExchangeOfEachProducerMatchesARealServer(String name) throws IOException {
    Run run = replay(name, false);
    assertThat(run.lines()).isNotEmpty();
    for (ResultLine l : run.lines()) {
      if (l.verdict() == Verdict.SKIPPED) {
        assertThat(l.error())
            .as(l.method() + " " + l.target())
            .matches(
                e -> e.startsWith(ResultLine.SKIPPED_FROM_CACHE) || e.contains("not captured"));
      } else {
        assertThat(l.verdict())
            .as(
                l.method()
                    + " "
                    + l.target()
                    + " "
                    + l.differences()
                    + " "
                    + l.notes()
                    + " "
                    + l.error())
            .isEqualTo(Verdict.MATCH);
      }
    }
  }

  @Test
  void aRecordingMostlyWithoutBodiesIsSaidSo() throws IOException {
    ReplayResult r = replay("webpagetest-no-bodies", false).result();
    long bodiless = r.gaps().bodyNotCaptured();
    assertThat(bodiless).isPositive();
    assertThat(bodiless * 2).isGreaterThanOrEqualTo(r.result().compared());
    assertThat(r.warnings())
        .anyMatch(
            w ->
                w.startsWith(
                    bodiless
                        + " of "
                        + r.result().compared()
                        + " compared exchanges had no recorded body"));
    assertThat(replay("mixed-quirks", false).result().warnings())
        .noneMatch(w -> w.contains("had no recorded body"));
    // sharded and merged: one warning, counted over the merged run
    Path har = PRODUCERS.resolve("webpagetest-no-bodies.har");
    Path rec = dir.resolve("wpt-sharded.jsonl");
    HarImporter.importFile(har, rec, ImportOptions.defaults());
    HttpServer server = realServer(JSON.readTree(har.toFile()), b -> b);
    List<Path> shards = new ArrayList<>();
    try {
      URI candidate = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      for (int i = 1; i <= 2; i++) {
        Path out = dir.resolve("wpt-shard-" + i);
        new Replayer(
                ReplayConfig.of(List.of(rec), candidate, out)
                    .withAllowUnsafe(true)
                    .withShard(new Shard(i, 2)))
            .run(ShadowListener.NONE);
        shards.add(out);
      }
    } finally {
      server.stop(0);
    }
    ReplayResult merged =
        Summaries.merge(
            dir.resolve("wpt-merged"), shards, null, new dev.shadowtest.diff.run.Gate(0.005, null));
    assertThat(merged.result().compared()).isEqualTo(r.result().compared());
    JsonNode summary = JSON.readTree(dir.resolve("wpt-merged").resolve("summary.json").toFile());
    List<String> said = new ArrayList<>();
    summary.path("warnings").forEach(w -> said.add(w.asText()));
    List<String> bodilessSaid =
        said.stream().filter(w -> w.contains("had no recorded body")).toList();
    assertThat(bodilessSaid).hasSize(1);
    assertThat(bodilessSaid.get(0))
        .startsWith(
            bodiless + " of " + r.result().compared() + " compared exchanges had no recorded body");
  }

  @Test
  void theMixedFileIsJudgedWithItsGapsCounted() throws IOException {
    Run run = replay("mixed-quirks", false);
    ReplayResult r = run.result();
    assertThat(r.result().exchanges()).isEqualTo(18);
    // served from the browser cache (2) and a JSON body the producer did not keep (1)
    assertThat(r.result().skipped()).isEqualTo(3);
    assertThat(r.gaps().skippedFromCache()).isEqualTo(2);
    assertThat(r.gaps().bodyNotCaptured())
        .isEqualTo(1); // GET /assets/app.css: compared by status and headers
    assertThat(r.result().compared()).isEqualTo(15);
    assertThat(r.result().matched()).isEqualTo(15);
    assertThat(r.passed()).isTrue();
    ResultLine css =
        run.lines().stream()
            .filter(l -> l.target().equals("/assets/app.css"))
            .findFirst()
            .orElseThrow();
    assertThat(css.notes()).contains(ResultLine.BODY_NOT_CAPTURED);
  }

  @Test
  void cachedEntriesAreSentWhenAskedAndMatchToo() throws IOException {
    Run run = replay("chrome-from-cache", true);
    assertThat(run.result().gaps().skippedFromCache()).isZero();
    assertThat(run.lines())
        .hasSize(4)
        .allSatisfy(
            l ->
                assertThat(l.verdict())
                    .as(l.target() + " " + l.differences())
                    .isEqualTo(Verdict.MATCH));
  }

  @Test
  void aCandidateThatChangesTheBodyOfADecodedResponseIsStillCaught() throws IOException {
    Run run =
        replay(
            "chrome-brotli-gzip",
            false,
            body -> body.replace("\"average\":4.4", "\"average\":4.5"));
    ResultLine reviews =
        run.lines().stream()
            .filter(l -> l.target().startsWith("/api/reviews"))
            .findFirst()
            .orElseThrow();
    assertThat(reviews.verdict()).isEqualTo(Verdict.DIFFERENT);
    assertThat(reviews.differences()).extracting(d -> d.path()).containsExactly("$.average");
    // the br page went through the Brotli decoder and matched
    ResultLine page =
        run.lines().stream()
            .filter(l -> l.target().startsWith("/products/1042"))
            .findFirst()
            .orElseThrow();
    assertThat(page.verdict()).isEqualTo(Verdict.MATCH);
    assertThat(page.notes())
        .anySatisfy(
            n -> assertThat(n).startsWith("candidate body decoded from Content-Encoding br"));
  }

  record Run(ReplayResult result, List<ResultLine> lines) {}

  Run replay(String name, boolean includeCached) throws IOException {
    return replay(name, includeCached, b -> b);
  }

  Run replay(String name, boolean includeCached, UnaryOperator<String> change) throws IOException {
    Path har = PRODUCERS.resolve(name + ".har");
    Path rec = dir.resolve(name + ".jsonl");
    HarImporter.importFile(har, rec, ImportOptions.defaults());
    HttpServer server = realServer(JSON.readTree(har.toFile()), change);
    try {
      URI candidate = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(List.of(rec), candidate, dir.resolve("run-" + name))
                      .withAllowUnsafe(true)
                      .withIncludeCached(includeCached))
              .run(ShadowListener.NONE);
      List<ResultLine> lines = new ArrayList<>();
      ResultsFile.read(r.resultsFile(), lines::add);
      return new Run(r, lines);
    } finally {
      server.stop(0);
    }
  }

  /**
   * {@code text} in the charset {@code mime} declares, as a server sends it (UTF-8 when it
   * declares none, one this JVM lacks, or one that cannot hold the text).
   */
  static byte[] inCharset(String text, String mime) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?i)charset=\"?([^\";]+)").matcher(mime);
    if (m.find()) {
      try {
        java.nio.charset.Charset c = java.nio.charset.Charset.forName(m.group(1).strip());
        if (c.newEncoder().canEncode(text)) {
          return text.getBytes(c);
        }
      } catch (IllegalArgumentException unknown) {
        // below
      }
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** What the server answers to one method and target. */
  record Answer(int status, List<String[]> headers, byte[] body, String coding) {}

  /** A server answering each HAR entry's method and target as the real server did on the wire. */
  static HttpServer realServer(JsonNode har, UnaryOperator<String> change) throws IOException {
    Map<String, List<Answer>> answers = new HashMap<>();
    for (JsonNode e : har.path("log").path("entries")) {
      String url = e.path("request").path("url").asText();
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        continue;
      }
      int path = url.indexOf('/', url.indexOf("://") + 3);
      String target = path < 0 ? "/" : url.substring(path);
      String method = e.path("request").path("method").asText();
      JsonNode rs = e.path("response");
      int status = rs.path("status").asInt();
      List<String[]> headers = new ArrayList<>();
      String coding = null;
      for (JsonNode h : rs.path("headers")) {
        String n = h.path("name").asText();
        String lower = n.toLowerCase(Locale.ROOT);
        if (lower.equals("content-encoding")) {
          coding = h.path("value").asText().strip().toLowerCase(Locale.ROOT);
        } else if (!List.of(
                    "content-length", "transfer-encoding", "connection", "keep-alive", "date")
                .contains(lower)
            && !n.startsWith(":")) {
          for (String line : h.path("value").asText().split("\n")) {
            headers.add(new String[] {n, line});
          }
        }
      }
      byte[] body = null;
      boolean bodiless =
          status == 304 || status == 204 || method.equals("HEAD") || status / 100 == 1;
      if (!bodiless) {
        JsonNode content = rs.path("content");
        long size = content.path("size").asLong(0);
        if (content.has("text")) {
          String text = content.path("text").asText();
          body =
              "base64".equals(content.path("encoding").asText())
                  ? Base64.getDecoder().decode(text)
                  : inCharset(change.apply(text), content.path("mimeType").asText(""));
          if (size > body.length && text.startsWith("{") && !text.strip().endsWith("}")) {
            body = padded(body, size); // the producer kept a prefix: the server sends all of it
          }
        } else if (content.hasNonNull("_file")
            && Files.isRegularFile(PRODUCERS.resolve(content.path("_file").asText()))) {
          body = Files.readAllBytes(PRODUCERS.resolve(content.path("_file").asText()));
        } else if (size > 0) {
          body = padded(new byte[0], size); // the producer kept none of it
        }
      }
      answers
          .computeIfAbsent(method + " " + target, k -> new ArrayList<>())
          .add(new Answer(status, headers, body, coding));
    }
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", ex -> answer(ex, answers));
    server.start();
    return server;
  }

  private static void answer(HttpExchange ex, Map<String, List<Answer>> answers)
      throws IOException {
    ex.getRequestBody().readAllBytes();
    List<Answer> candidates =
        answers.getOrDefault(
            ex.getRequestMethod() + " " + ex.getRequestURI().toString(), List.of());
    // a conditional request for what the client has is answered 304, any other with the resource
    boolean conditional =
        ex.getRequestHeaders().containsKey("If-None-Match")
            || ex.getRequestHeaders().containsKey("If-Modified-Since");
    Answer a =
        candidates.stream()
            .filter(c -> (c.status() == 304) == conditional)
            .findFirst()
            .orElse(candidates.isEmpty() ? null : candidates.get(0));
    if (a == null) {
      ex.sendResponseHeaders(404, -1);
      ex.close();
      return;
    }
    a.headers().forEach(h -> ex.getResponseHeaders().add(h[0], h[1]));
    byte[] body = a.body();
    String accepted =
        String.join(",", ex.getRequestHeaders().getOrDefault("Accept-Encoding", List.of()))
            .toLowerCase(Locale.ROOT);
    if (body != null && a.coding() != null && accepted.contains(a.coding())) {
      body = encode(body, a.coding());
      ex.getResponseHeaders().add("Content-Encoding", a.coding());
    }
    ex.sendResponseHeaders(a.status(), body == null || body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      if (body != null) {
        out.write(body);
      }
    }
  }

  private static byte[] encode(byte[] body, String coding) throws IOException {
    if (coding.equals("br")) {
      return BrotliStreams.encode(body);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z =
        coding.equals("gzip") ? new GZIPOutputStream(out) : new DeflaterOutputStream(out)) {
      z.write(body);
    }
    return out.toByteArray();
  }

  private static byte[] padded(byte[] prefix, long size) {
    byte[] all = Arrays.copyOf(prefix, (int) size);
    Arrays.fill(all, prefix.length, all.length, (byte) 'x');
    return all;
  }
}
