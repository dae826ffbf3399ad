package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GorImporterTests {

  static final String SEP = "\n\uD83D\uDC35\uD83D\uDE48\uD83D\uDE49\n";

  @TempDir Path dir;

  Path sample;

  @BeforeEach
  void copyFixture() throws IOException {
    sample = dir.resolve("sample.gor");
    try (InputStream in = getClass().getResourceAsStream("/gor/sample.gor")) {
      Files.copy(in, sample);
    }
  }

  List<Exchange> read(Path gor, List<String> warnings) {
    List<Exchange> out = new ArrayList<>();
    GorImporter.read(gor, out::add, warnings::add);
    return out;
  }

  @Test
  void matchesRequestsAndResponsesByIdInRequestOrder() {
    List<String> warnings = new ArrayList<>();
    List<Exchange> ex = read(sample, warnings);
    assertThat(ex).extracting(Exchange::id).containsExactly("a1", "b2", "c3", "d4");
    Exchange a1 = ex.get(0);
    assertThat(a1.request().target()).isEqualTo("/api/users/42?x=1");
    assertThat(a1.request().headers().first("host")).contains("legacy:8080");
    assertThat(a1.request().body()).isEqualTo(Body.none());
    assertThat(a1.response().status()).isEqualTo(200);
    assertThat(a1.response().body()).isEqualTo(Body.text("{\"id\":42}"));
    assertThat(a1.startedAt()).hasToString("2025-11-25T10:00:00Z");
    assertThat(a1.durationMicros()).isEqualTo(1200L); // the latency field, in ns
    assertThat(warnings)
        .anySatisfy(w -> assertThat(w).contains("1 replayed response(s) (type 3) ignored"))
        .anySatisfy(w -> assertThat(w).contains("1 response(s) had no matching request"));
  }

  @Test
  void decodesChunkedBodiesAndKeepsRepeatedHeaders() {
    Exchange b2 = read(sample, new ArrayList<>()).get(1);
    assertThat(b2.request().body()).isEqualTo(Body.text("{\"sku\":\"M-42\"}\n"));
    assertThat(b2.response().status()).isEqualTo(201);
    assertThat(b2.response().reason()).isEqualTo("Created");
    assertThat(b2.response().headers().all("Set-Cookie")).containsExactly("a=1", "b=2");
    assertThat(b2.response().body()).isEqualTo(Body.text("hello, world"));
  }

  /**
   * A body may hold the separator line (GoReplay writes bodies as they came): the line after it
   * decides. A payload header there makes it the separator; anything else makes it body, when the
   * message's framing says its body goes on (a Content-Length not reached, a chunked body without
   * its last chunk, a response read to the end). Also with CR LF line ends.
   */
  @Test
  void aSeparatorLineInsideABodyIsBodyWhenTheMessageGoesOn() throws IOException {
    String inner = "line1" + SEP + "line2"; // 5 + 14 + 5 bytes
    int innerLength = inner.getBytes(StandardCharsets.UTF_8).length;
    String crlfInner = "x\r" + SEP.replace("\n\uD83D\uDE49\n", "\n\uD83D\uDE49\r\n") + "y";
    int crlfLength = crlfInner.getBytes(StandardCharsets.UTF_8).length;
    String chunk = "2" + SEP.substring(0, SEP.length() - 1);
    Path gor = dir.resolve("sep.gor");
    Files.writeString(
        gor,
        "1 p1 1764064800000000000\nPOST /form HTTP/1.1\r\nHost: a\r\nContent-Length: "
            + innerLength
            + "\r\n\r\n"
            + inner
            + SEP
            + "2 p1 1764064800100000000 5000\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            + SEP
            + "1 p2 1764064800200000000\nPOST /crlf HTTP/1.1\r\nHost: a\r\nContent-Length: "
            + crlfLength
            + "\r\n\r\n"
            + crlfInner
            + SEP
            + "2 p2 1764064800300000000 5000\nHTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
            + "to the end"
            + SEP
            + "line after a real separator"
            + SEP
            + "1 p3 1764064800400000000\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n"
            + SEP
            + "2 p3 1764064800500000000 5000\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
            + SEP
            // a body cut short by the capture: the payload header after the separator decides
            + "1 p4 1764064800600000000\nPUT /cut HTTP/1.1\r\nHost: a\r\nContent-Length: 100"
            + "\r\n\r\nshort"
            + SEP
            + "2 p4 1764064800700000000 5000\nHTTP/1.1 204 No Content\r\n\r\n"
            + SEP,
        StandardCharsets.UTF_8);
    List<String> warnings = new ArrayList<>();
    List<Exchange> ex = read(gor, warnings);
    assertThat(ex).extracting(Exchange::id).containsExactly("p1", "p2", "p3", "p4");
    assertThat(ex.get(0).request().body()).isEqualTo(Body.text(inner));
    assertThat(ex.get(0).response().body()).isEqualTo(Body.text("ok"));
    assertThat(ex.get(1).request().body()).isEqualTo(Body.text(crlfInner));
    // a response read to its end: the separator line and the line after it were body
    assertThat(ex.get(1).response().body())
        .isEqualTo(Body.text("to the end" + SEP + "line after a real separator"));
    assertThat(ex.get(2).request().target()).isEqualTo("/next");
    assertThat(ex.get(3).request().body().truncated()).isTrue();
    assertThat(ex.get(3).response().status()).isEqualTo(204);
  }

  /** A capture cut off in the payload header after a separator in question: that line is said. */
  @Test
  void aCaptureCutInTheHeaderAfterABodyThatRunsToTheEndKeepsTheBodyWhole() throws IOException {
    Path gor = dir.resolve("cut.gor");
    Files.writeString(
        gor,
        "1 a 1764064800000000000\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n"
            + SEP
            + "2 a 1764064800100000000 5000\nHTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello"
            + SEP
            + "1 b17640",
        StandardCharsets.UTF_8);
    List<String> warnings = new ArrayList<>();
    List<Exchange> ex = read(gor, warnings);
    assertThat(ex).extracting(Exchange::id).containsExactly("a");
    assertThat(ex.get(0).response().body()).isEqualTo(Body.text("hello"));
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("the last line is incomplete"));
  }

  @Test
  void keepsBinaryBodiesByteExact() {
    Exchange d4 = read(sample, new ArrayList<>()).get(3);
    assertThat(d4.response().body())
        .isEqualTo(Body.binary(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}));
  }

  @Test
  void aRequestWhoseResponseNeverCameIsKeptAndMarked() {
    Path out = dir.resolve("rec.jsonl");
    ImportResult r = GorImporter.importFile(sample, out, Redaction.defaults());
    assertThat(r.exchanges()).isEqualTo(4);
    assertThat(r.withoutResponse()).isEqualTo(1);
    Exchange c3 = HarImporterTests.read(out).get(2);
    assertThat(c3.id()).isEqualTo("c3");
    assertThat(c3.response()).isNull();
    assertThat(c3.error()).isEqualTo(GorImporter.NO_RESPONSE);
    assertThat(RecordingStats.of(out, w -> {}).withoutResponse()).isEqualTo(1);
  }

  @Test
  void readsGzipCompressedCaptures() throws IOException {
    Path gz = dir.resolve("sample.gor.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(sample));
    }
    assertThat(read(gz, new ArrayList<>())).isEqualTo(read(sample, new ArrayList<>()));
  }

  @Test
  void toleratesAMissingFinalSeparatorAndInterimResponses() throws IOException {
    Path gor = dir.resolve("x.gor");
    Files.writeString(
        gor,
        "1 r1 1000 0\nPUT /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi"
            + SEP
            + "2 r1 2000 1000\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n",
        StandardCharsets.UTF_8);
    Exchange e = read(gor, new ArrayList<>()).get(0);
    assertThat(e.request().body()).isEqualTo(Body.text("hi"));
    assertThat(e.response().status()).isEqualTo(204);
    assertThat(e.response().headers()).isEqualTo(Headers.of("X-A", "1"));
    assertThat(e.response().body()).isEqualTo(Body.none());
  }

  @Test
  void aBodyShorterThanItsContentLengthIsFlaggedTruncated() throws IOException {
    Path gor = dir.resolve("t.gor");
    Files.writeString(
        gor,
        "1 r1 1000 0\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"
            + SEP
            + "2 r1 2000 1000\nHTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n{\"partial\":"
            + SEP,
        StandardCharsets.UTF_8);
    Body body = read(gor, new ArrayList<>()).get(0).response().body();
    assertThat(body.truncated()).isTrue();
    assertThat(body.size()).isEqualTo(100000);
  }

  @Test
  void aBadPayloadHeaderNamesTheLine() throws IOException {
    Path gor = dir.resolve("bad.gor");
    Files.writeString(
        gor,
        "1 r1 1000 0\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"
            + SEP
            + "hello there\nGET / HTTP/1.1\r\n\r\n"
            + SEP,
        StandardCharsets.UTF_8);
    assertThatThrownBy(() -> read(gor, new ArrayList<>()))
        .isInstanceOf(RecordingException.class)
        .hasMessage(
            gor
                + ":7: bad payload header \"hello there\" (expected 'TYPE ID TIMESTAMP [LATENCY]' with TYPE 1, 2 or 3)");
  }

  @Test
  void aBadRequestLineNamesTheLine() throws IOException {
    Path gor = dir.resolve("bad.gor");
    Files.writeString(gor, "1 r1 1000 0\nGARBAGE\r\n\r\n" + SEP, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> read(gor, new ArrayList<>()))
        .hasMessage(
            gor + ":2: request r1: bad request line \"GARBAGE\" (expected METHOD TARGET HTTP/1.x)");
  }

  static String resp(String id, long ts, String body) {
    return "2 "
        + id
        + " "
        + ts
        + " 1500\nHTTP/1.1 200 OK\r\nContent-Length: "
        + body.length()
        + "\r\n\r\n"
        + body
        + SEP;
  }

  /** GoReplay writes a response before its request at times (probelabs/goreplay#793). */
  @Test
  void aResponseWrittenBeforeItsRequestIsPaired() throws IOException {
    Path gor = dir.resolve("early.gor");
    Files.writeString(
        gor,
        resp("a", 1000, "A")
            + GorFollowerTests.request("a", 900, "/a")
            + GorFollowerTests.request("b", 2000, "/b")
            + resp("b", 2100, "B")
            + resp("c", 3000, "C")
            + resp("z", 3500, "Z") // its request never comes
            + GorFollowerTests.request("c", 2900, "/c"),
        StandardCharsets.UTF_8);
    List<String> warnings = new ArrayList<>();
    List<Exchange> ex = read(gor, warnings);
    assertThat(ex).extracting(Exchange::id).containsExactly("a", "b", "c");
    assertThat(ex)
        .extracting(e -> e.response().body().bytes())
        .containsExactly(
            "A".getBytes(StandardCharsets.UTF_8),
            "B".getBytes(StandardCharsets.UTF_8),
            "C".getBytes(StandardCharsets.UTF_8));
    assertThat(ex.get(0).durationMicros()).isEqualTo(1L); // the latency field, 1500 ns
    assertThat(warnings)
        .containsExactly(gor + ": 1 response(s) had no matching request and were skipped");
  }

  @Test
  void aMalformedRequestIsLeftOutWithItsResponseAndTheRestImported() throws IOException {
    Path gor = dir.resolve("scanner.gor");
    Files.writeString(
        gor,
        GorFollowerTests.request("a", 1000, "/a")
            + resp("a", 1100, "A")
            + "1 x 1200 0\nGET /scan HTTP/1.1\r\nHost: x\r\nfoo\r\n\r\n"
            + SEP
            + resp("x", 1300, "X")
            + GorFollowerTests.request("b", 1400, "/b")
            + resp("b", 1500, "B"),
        StandardCharsets.UTF_8);
    List<String> warnings = new ArrayList<>();
    List<Exchange> ex = read(gor, warnings);
    assertThat(ex).extracting(Exchange::id).containsExactly("a", "b");
    assertThat(ex).allSatisfy(e -> assertThat(e.response()).isNotNull());
    assertThat(warnings)
        .hasSize(2)
        .allSatisfy(w -> assertThat(w).contains(gor + ":14: request x: "))
        .anySatisfy(w -> assertThat(w).endsWith("; left out"))
        .anySatisfy(
            w -> assertThat(w).startsWith(gor + ": 1 malformed request(s) left out with their"));
  }

  @Test
  void aRequestWithoutLengthHasNoBodyAndWhatFollowsItIsSaid() throws IOException {
    Path gor = dir.resolve("pipelined.gor");
    Files.writeString(
        gor,
        "1 n 1000 0\nGET /p1 HTTP/1.1\r\nHost: legacy\r\n\r\nGET /p2 HTTP/1.1\r\nHost: legacy\r\n\r\n"
            + SEP
            + resp("n", 1100, "one")
            // a CR LF separator leaves a CR at the end of the payload: not a body, not a warning
            + "1 m 1200 0\nGET /p3 HTTP/1.1\r\nHost: legacy\r\n\r\n\r"
            + SEP
            + resp("m", 1300, "three"),
        StandardCharsets.UTF_8);
    List<String> warnings = new ArrayList<>();
    List<Exchange> ex = read(gor, warnings);
    assertThat(ex).extracting(e -> e.request().target()).containsExactly("/p1", "/p3");
    assertThat(ex).allSatisfy(e -> assertThat(e.request().body()).isEqualTo(Body.none()));
    assertThat(warnings)
        .anySatisfy(
            w -> assertThat(w).startsWith(gor + ":2: request n: 34 bytes after the request"))
        .anySatisfy(w -> assertThat(w).startsWith(gor + ": 1 request(s) had bytes after their end"))
        .hasSize(2);
  }

  @Test
  void millisecondTimestampsAreSaidOnce() throws IOException {
    Path gor = dir.resolve("ms.gor");
    Files.writeString(
        gor,
        GorFollowerTests.request("a", 1_764_000_000_000L, "/a")
            + resp("a", 1_764_000_000_100L, "A")
            + GorFollowerTests.request("b", 1_764_000_001_000L, "/b")
            + resp("b", 1_764_000_001_100L, "B"),
        StandardCharsets.UTF_8);
    List<String> warnings = new ArrayList<>();
    List<Exchange> ex = read(gor, warnings);
    assertThat(ex).hasSize(2);
    assertThat(warnings)
        .containsExactly(
            gor
                + ":1: timestamp 1764000000000 is before 2001 in nanoseconds (GoReplay's unit) and"
                + " looks like milliseconds or microseconds: the capture's startedAt values are kept"
                + " as they are, in 1970 if so");
  }

  @Test
  void aFileWithNoPayloadIsNoGoReplayFile() throws IOException {
    Path gor = dir.resolve("min.har");
    Files.writeString(
        gor, "{\"log\":{\"version\":\"1.2\",\"entries\":[]}}", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> read(gor, new ArrayList<>()))
        .isInstanceOf(RecordingException.class)
        .hasMessageContaining("is it a GoReplay file?");
  }

  static final long LIMIT = 64 * 1024;

  List<Exchange> read(Path gor, long maxBody, List<String> warnings) {
    List<Exchange> out = new ArrayList<>();
    GorImporter.read(gor, maxBody, out::add, warnings::add);
    return out;
  }

  @Test
  void aTextFileWithoutSeparatorsFailsOnItsFirstLine() throws IOException {
    Path log = dir.resolve("access.log");
    Files.writeString(
        log, "127.0.0.1 - - [24/Nov/2026] \"GET / HTTP/1.1\" 200 12\n".repeat(50_000));
    assertThatThrownBy(() -> read(log, new ArrayList<>()))
        .isInstanceOf(RecordingException.class)
        .hasMessage(
            log
                + ":1: bad payload header \"127.0.0.1 - - [24/Nov/2026] \"GET / HTTP/1.1\" 200 12\" "
                + "(expected 'TYPE ID TIMESTAMP [LATENCY]' with TYPE 1, 2 or 3)");
  }

  @Test
  void binaryDataFailsOnItsFirstLineWithAOneLineMessage() throws IOException {
    Path bin = dir.resolve("random.bin");
    byte[] data = new byte[1 << 20];
    new Random(3).nextBytes(data);
    Files.write(bin, data);
    assertThatThrownBy(() -> read(bin, new ArrayList<>()))
        .isInstanceOf(RecordingException.class)
        .hasMessageStartingWith(bin + ":1: bad payload header")
        .satisfies(
            e -> assertThat(e.getMessage()).doesNotContainPattern("[\\p{Cntrl}\u0080-\u009f]"));
  }

  @Test
  void devZeroAndDevUrandomFailFastInBoundedMemory() {
    for (String device : List.of("/dev/zero", "/dev/urandom")) {
      Path endless = Path.of(device);
      assumeTrue(Files.isReadable(endless), device);
      assertTimeoutPreemptively(
          Duration.ofSeconds(20),
          () ->
              assertThatThrownBy(() -> read(endless, new ArrayList<>()))
                  .isInstanceOf(RecordingException.class)
                  .hasMessageMatching(
                      Pattern.quote(device)
                          + ":\\d+: bad payload header(?s).*")); // random bytes may start with
      // blank lines
    }
  }

  @Test
  void aPayloadThatGoesOnPastItsMessageWithoutASeparatorFailsAtTheLimit() throws IOException {
    Path gor = dir.resolve("glued.gor");
    String glued =
        "1 r1 1000 0\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"
            + "2 r1 2000 1\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\n".repeat(10_000);
    Files.writeString(gor, glued, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> read(gor, LIMIT, new ArrayList<>()))
        .isInstanceOf(RecordingException.class)
        .hasMessageStartingWith(
            gor + ":1: the payload goes on past the end of its HTTP message (at least ")
        .hasMessageEndingWith(
            ") without a separator line (not a GoReplay file, or a separator is missing?)");
    Path sized = dir.resolve("sized.gor");
    Files.writeString(
        sized,
        "1 r1 1000 0\nPOST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n"
            + "x".repeat(100_000)
            + "\nGET /next HTTP/1.1\r\n\r\n".repeat(10_000),
        StandardCharsets.UTF_8);
    assertThatThrownBy(() -> read(sized, LIMIT, new ArrayList<>()))
        .hasMessageContaining("goes on past the end of its HTTP message");
  }

  @Test
  void bodiesOverTheLimitAreCutAndFlaggedWithTheirRealSizeAndOneWarning() throws IOException {
    Path gor = dir.resolve("big.gor");
    String big = "y".repeat(300_000);
    Files.writeString(
        gor,
        "1 r1 1000 0\nPOST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 300000\r\n\r\n"
            + big
            + SEP
            + "2 r1 2000 1\nHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
            + big
            + SEP
            + "1 r2 3000 0\nGET /small HTTP/1.1\r\nHost: h\r\n\r\n"
            + SEP
            + "2 r2 4000 1\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            + SEP,
        StandardCharsets.UTF_8);
    List<String> warnings = new ArrayList<>();
    List<Exchange> ex = read(gor, LIMIT, warnings);
    Body cut = new Body.Text(big.substring(0, (int) LIMIT), true, 300_000);
    assertThat(ex.get(0).request().body()).isEqualTo(cut);
    assertThat(ex.get(0).response().body())
        .isEqualTo(cut); // read to the end of the payload: its size counted
    assertThat(ex.get(1).response().body()).isEqualTo(Body.text("ok"));
    assertThat(warnings)
        .containsExactly(
            gor
                + ": 2 bodies longer than 65536 bytes were cut to 65536 bytes "
                + "(flagged truncated, with the real size)");
  }

  @Test
  void aRequestIdLongerThanGoReplayWritesIsRefused() throws IOException {
    Path gor = dir.resolve("id.gor");
    Files.writeString(
        gor,
        "1 " + "a".repeat(200) + " 1000 0\nGET / HTTP/1.1\r\n\r\n" + SEP,
        StandardCharsets.UTF_8);
    assertThatThrownBy(() -> read(gor, new ArrayList<>()))
        .hasMessage(
            gor
                + ":1: bad payload header: an id of 200 characters (GoReplay ids are short hex strings)");
  }

  @Test
  void aPayloadHeaderCutOffByTheEndOfTheCaptureIsAWarning() throws IOException {
    Path gor = dir.resolve("cut.gor");
    Files.writeString(
        gor, "1 r1 1000 0\nGET / HTTP/1.1\r\n\r\n" + SEP + "2 r", StandardCharsets.UTF_8);
    List<String> warnings = new ArrayList<>();
    assertThat(read(gor, warnings)).extracting(Exchange::id).containsExactly("r1");
    assertThat(warnings)
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith(
                        gor + ":6: bad payload header \"2 r\"; the last line is incomplete"));
  }

  @Test
  void anUnparseableResponseKeepsTheRequestAndWarns() throws IOException {
    Path gor = dir.resolve("r.gor");
    Files.writeString(
        gor,
        "1 r1 1000 0\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"
            + SEP
            + "2 r1 2000 1\nSPDY nonsense\r\n\r\n"
            + SEP,
        StandardCharsets.UTF_8);
    List<String> warnings = new ArrayList<>();
    Exchange e = read(gor, warnings).get(0);
    assertThat(e.response()).isNull();
    assertThat(e.error()).startsWith("unparseable response in the GoReplay file: bad status line");
    assertThat(warnings).singleElement().asString().contains(gor + ":8: response r1:");
  }
}
