package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingReaderTests {

  static final String HEADER =
      "{\"format\":\"shadow-recording\",\"version\":1,\"createdAt\":\"2026-11-24T10:00:00Z\","
          + "\"source\":\"recorder\",\"redaction\":{\"headers\":[\"authorization\"],\"jsonPaths\":[\"$.card.number\"]}}";

  @TempDir Path dir;

  static String line(int i) {
    return "{\"id\":\"e"
        + i
        + "\",\"request\":{\"method\":\"GET\",\"target\":\"/x/"
        + i
        + "\",\"headers\":[[\"Host\",\"h\"]],\"body\":null},\"response\":{\"status\":200,\"headers\":[],\"body\":{\"text\":\"ok\"}}}";
  }

  Path file(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, content);
    return f;
  }

  static List<Exchange> readAll(RecordingReader r) {
    List<Exchange> out = new ArrayList<>();
    r.forEachRemaining(out::add);
    return out;
  }

  @Test
  void readsTheContractExample() throws IOException {
    Path f =
        file(
            "rec.jsonl",
            HEADER
                + "\n"
                + "{\"id\":\"01J\",\"startedAt\":\"2026-11-24T10:00:01.123Z\",\"durationMicros\":5231,"
                + "\"request\":{\"method\":\"GET\",\"target\":\"/api/users/42?verbose=1\",\"httpVersion\":\"HTTP/1.1\","
                + "\"headers\":[[\"Host\",\"legacy:8080\"],[\"Accept\",\"application/json\"]],\"body\":null},"
                + "\"response\":{\"status\":200,\"reason\":\"OK\",\"headers\":[[\"Content-Type\",\"application/json\"]],"
                + "\"body\":{\"text\":\"{\\\"id\\\":42}\"}},\"tags\":{\"session\":\"abc\"}}\n");
    try (RecordingReader r = RecordingReader.open(f)) {
      assertThat(r.header().redaction().jsonPaths()).containsExactly("$.card.number");
      assertThat(readAll(r)).containsExactly(RecordingRoundTripTests.sample("01J"));
    }
  }

  @Test
  void malformedLineSevenNamesFileAndLine() throws IOException {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (int i = 2; i <= 9; i++) {
      sb.append(i == 7 ? "{\"id\":\"e7\" \"request\":{}}" : line(i)).append('\n');
    }
    Path f = file("rec.jsonl", sb.toString());
    try (RecordingReader r = RecordingReader.open(f)) {
      assertThat(readAll(r))
          .extracting(Exchange::id)
          .containsExactly("e2", "e3", "e4", "e5", "e6", "e8", "e9");
      assertThat(r.unreadable()).isEqualTo(1);
      assertThat(r.warnings())
          .singleElement()
          .asString()
          .startsWith(f + ":7: Unexpected character ('\"'")
          .contains("expecting comma")
          .contains("(column 12)")
          .endsWith("; skipped this line");
    }
  }

  @Test
  void aLastLineCutMidJsonIsAWarningAndEverythingBeforeItIsKept() throws IOException {
    String complete = HEADER + "\n" + line(2) + "\n" + line(3) + "\n";
    Path f = file("crashed.jsonl", complete + line(4).substring(0, 50));
    List<String> seen = new ArrayList<>();
    try (RecordingReader r = RecordingReader.open(f, seen::add)) {
      assertThat(readAll(r)).extracting(Exchange::id).containsExactly("e2", "e3");
      assertThat(r.warnings())
          .singleElement()
          .asString()
          .startsWith(f + ":4: last line is incomplete")
          .contains("kept the 2 exchange(s)");
      assertThat(seen).isEqualTo(r.warnings());
      assertThat(r.unreadable()).isZero();
    }
  }

  @Test
  void aLineOverTheLimitIsSkippedAndTheNextLineIsRead() throws IOException {
    String tooLong = line(3).replace("\"ok\"", "\"" + "x".repeat(5000) + "\"");
    Path f = file("long.jsonl", HEADER + "\n" + line(2) + "\n" + tooLong + "\n" + line(4) + "\n");
    try (RecordingReader r = RecordingReader.open(f, w -> {}, 1024)) {
      assertThat(readAll(r)).extracting(Exchange::id).containsExactly("e2", "e4");
      assertThat(r.unreadable()).isEqualTo(1);
      assertThat(r.warnings()).containsExactly(f + ":3: longer than 1024 bytes; skipped this line");
    }
  }

  @Test
  void aLastLineOverTheLimitIsSkippedToo() throws IOException {
    Path f = file("long.jsonl", HEADER + "\n" + line(2) + "\n" + "x".repeat(5000));
    try (RecordingReader r = RecordingReader.open(f, w -> {}, 1024)) {
      assertThat(readAll(r)).extracting(Exchange::id).containsExactly("e2");
      assertThat(r.unreadable()).isEqualTo(1);
    }
  }

  @Test
  void aHeaderLineOverTheLimitIsNotARecording() throws IOException {
    Path f = file("blob.jsonl", "\0".repeat(5000) + "\n" + line(2) + "\n");
    assertThatThrownBy(() -> RecordingReader.open(f, w -> {}, 1024))
        .isInstanceOf(RecordingException.class)
        .hasMessage(
            f
                + ":1: not a Shadow recording: line 1 is longer than 1024 bytes (binary data, or no newlines)");
  }

  /**
   * The failure that issue 13 reports: one exchange of megabytes of NUL bytes (6 bytes each when
   * escaped) made a line no reader accepted, and one bad line lost everything after it. Scaled
   * down with test-only limits: lines of at most 6 MiB written, 8 MiB read.
   */
  @Test
  void noLineCanPoisonARecording() throws IOException {
    Path f = dir.resolve("hostile.jsonl");
    byte[] nuls = new byte[3 << 20];
    nuls[1000] = 1; // control bytes, still valid UTF-8: a text body
    Exchange controls = RecordingWriterTests.exchange("nuls", Body.none(), Body.of(nuls));
    assertThat(controls.response().body()).isInstanceOf(Body.Text.class);
    try (RecordingWriter w =
        RecordingWriter.create(f, RecordingHeader.now("recorder", Redaction.none()))
            .maxLineBytes(6 << 20)) {
      w.write(RecordingRoundTripTests.sample("good-1"));
      w.write(RecordingRoundTripTests.sample("good-2"));
      w.write(controls);
      assertThat(w.cutToFit()).isZero(); // base64: 4 MiB, not 18 MiB of escapes
    }
    String overLimit = line(98).replace("\"ok\"", "\"" + "x".repeat(9 << 20) + "\"");
    Files.writeString(
        f,
        "{\"id\":\"corrupt\", \"request\": {\"method\": GET}}\n"
            + overLimit
            + "\n"
            + line(4)
            + "\n"
            + line(5)
            + "\n",
        StandardOpenOption.APPEND);
    List<String> seen = new ArrayList<>();
    try (RecordingReader r = RecordingReader.open(f, seen::add, 8 << 20)) {
      List<Exchange> read = readAll(r);
      assertThat(read)
          .extracting(Exchange::id)
          .containsExactly("good-1", "good-2", "nuls", "e4", "e5");
      assertThat(read.get(2).response().body().bytes()).isEqualTo(nuls);
      assertThat(r.unreadable()).isEqualTo(2);
      assertThat(seen).hasSize(2);
      assertThat(seen.get(0))
          .startsWith(f + ":5: Unrecognized token 'GET'")
          .endsWith("; skipped this line");
      assertThat(seen.get(1)).isEqualTo(f + ":6: longer than 8 MiB; skipped this line");
    }
  }

  @Test
  void aFileWithoutNewlinesIsRefusedAfterOneMiB() {
    Path zeros = Path.of("/dev/zero");
    assumeTrue(Files.isReadable(zeros));
    assertThatThrownBy(() -> RecordingReader.open(zeros))
        .isInstanceOf(RecordingException.class)
        .hasMessage(
            zeros
                + ":1: not a Shadow recording: line 1 is longer than 1 MiB (binary data, or no newlines)");
  }

  @Test
  void manyUnreadableLinesAreCountedButListedOnlyUpToALimit() throws IOException {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (int i = 0; i < 250; i++) {
      sb.append("garbage ").append(i).append('\n');
    }
    Path f = file("garbage.jsonl", sb.append(line(2)).append('\n').toString());
    try (RecordingReader r = RecordingReader.open(f)) {
      assertThat(readAll(r)).extracting(Exchange::id).containsExactly("e2");
      assertThat(r.unreadable()).isEqualTo(250);
      assertThat(r.warnings())
          .hasSize(RecordingReader.MAX_LISTED_UNREADABLE + 1)
          .last()
          .isEqualTo(f + ": 250 unreadable line(s) skipped in all (only the first 100 are listed)");
    }
  }

  @Test
  void aCutGzipStreamKeepsEveryCompleteLine() throws IOException {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (int i = 2; i < 5000; i++) {
      sb.append(line(i)).append('\n');
    }
    Path whole = dir.resolve("whole.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(whole))) {
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = dir.resolve("cut.jsonl.gz");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length * 2 / 3));
    try (RecordingReader r = RecordingReader.open(cut)) {
      List<Exchange> read = readAll(r);
      assertThat(read).isNotEmpty().hasSizeLessThan(4998);
      for (int i = 0; i < read.size(); i++) {
        assertThat(read.get(i).id()).isEqualTo("e" + (i + 2));
      }
      assertThat(r.warnings()).isNotEmpty();
      assertThat(String.join("\n", r.warnings())).contains("cut.jsonl.gz");
    }
  }

  @Test
  void aFileOfGzipMembersCutAnywhereInTheLastMemberKeepsEveryMemberBeforeIt() throws IOException {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    String[] parts = {
      HEADER + "\n" + line(2) + "\n", line(3) + "\n" + line(4) + "\n", line(5) + "\n"
    };
    int lastStart = 0;
    for (String part : parts) {
      lastStart = file.size();
      try (GZIPOutputStream member = new GZIPOutputStream(new NonClosing(file))) {
        member.write(part.getBytes(StandardCharsets.UTF_8)); // one whole gzip member per part
      }
    }
    byte[] bytes = file.toByteArray();
    Path whole = dir.resolve("members.jsonl.gz");
    Files.write(whole, bytes);
    try (RecordingReader r = RecordingReader.open(whole)) {
      assertThat(readAll(r)).extracting(Exchange::id).containsExactly("e2", "e3", "e4", "e5");
      assertThat(r.warnings()).isEmpty();
    }
    // a crash anywhere in the last member: in its header (1 to 9 bytes), its data, its trailer
    for (int keep = 1; keep < bytes.length - lastStart; keep++) {
      Path cut = dir.resolve("cut-" + keep + ".jsonl.gz");
      Files.write(cut, Arrays.copyOf(bytes, lastStart + keep));
      try (RecordingReader r = RecordingReader.open(cut)) {
        assertThat(readAll(r))
            .extracting(Exchange::id)
            .as("cut " + keep)
            .startsWith("e2", "e3", "e4");
      }
    }
  }

  /** Lets a gzip member be closed (its trailer written) without closing the stream under it. */
  private static final class NonClosing extends FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }

  @Test
  void aMalformedLineInTheMiddleIsSkippedCountedAndNamed() throws IOException {
    Path f =
        file(
            "rec.jsonl",
            HEADER + "\n" + line(2) + "\n" + line(3).substring(0, 40) + "\n" + line(4) + "\n");
    try (RecordingReader r = RecordingReader.open(f)) {
      assertThat(readAll(r)).extracting(Exchange::id).containsExactly("e2", "e4");
      assertThat(r.unreadable()).isEqualTo(1);
      assertThat(r.warnings()).singleElement().asString().startsWith(f + ":3: ");
    }
  }

  @Test
  void aFieldProblemNamesTheField() throws IOException {
    Path f =
        file(
            "rec.jsonl",
            HEADER
                + "\n"
                + line(2)
                + "\n"
                + "{\"id\":\"x\",\"request\":{\"target\":\"/\"},\"response\":null}\n");
    assertThat(warningsOf(f)).containsExactly(f + ":3: request.method: missing; skipped this line");
    Path g =
        file(
            "rec2.jsonl",
            HEADER
                + "\n"
                + "{\"id\":\"x\",\"request\":{\"method\":\"GET\",\"target\":\"/\",\"headers\":[[\"A\"]]},\"response\":null}\n");
    assertThat(warningsOf(g))
        .containsExactly(
            g + ":2: request.headers[0][1]: expected a string, got ']'; skipped this line");
    Path h =
        file(
            "rec3.jsonl",
            HEADER
                + "\n"
                + "{\"id\":\"x\",\"request\":{\"method\":\"GET\",\"target\":\"/\"},\"response\":{\"status\":\"200\"}}\n");
    assertThat(warningsOf(h))
        .containsExactly(
            h + ":2: response.status: expected an integer, got a string; skipped this line");
  }

  /** Reads every exchange of {@code f} and returns the warnings. */
  static List<String> warningsOf(Path f) {
    try (RecordingReader r = RecordingReader.open(f)) {
      readAll(r);
      assertThat(r.unreadable()).isEqualTo(r.warnings().size());
      return r.warnings();
    }
  }

  @Test
  void anUnknownVersionIsAClearError() throws IOException {
    Path f =
        file("v3.jsonl", HEADER.replace("\"version\":1", "\"version\":3") + "\n" + line(2) + "\n");
    assertThatThrownBy(() -> RecordingReader.open(f))
        .isInstanceOf(RecordingException.class)
        .hasMessage(
            f
                + ":1: header: version: unsupported recording version 3 (this Shadow reads versions 1 and 2; upgrade Shadow)");
  }

  @Test
  void aFileThatIsNotARecordingSaysSo() throws IOException {
    Path json = file("other.json", "{\"log\":{\"entries\":[]}}\n");
    assertThatThrownBy(() -> RecordingReader.open(json))
        .hasMessageStartingWith(json + ":1: header: format: not a Shadow recording");
    Path text = file("notes.txt", "hello world\n");
    assertThatThrownBy(() -> RecordingReader.open(text))
        .hasMessageStartingWith(text + ":1: not a Shadow recording: line 1 is not JSON");
    Path empty = file("empty.jsonl", "");
    assertThatThrownBy(() -> RecordingReader.open(empty))
        .hasMessage(empty + ": is empty; expected a recording header on line 1");
  }

  @Test
  void aMissingFileAndADirectoryAreClearErrors() {
    Path missing = dir.resolve("nope.jsonl");
    assertThatThrownBy(() -> RecordingReader.open(missing))
        .isInstanceOf(RecordingException.class)
        .hasMessage(missing + ": no such file");
    assertThatThrownBy(() -> RecordingReader.open(dir))
        .isInstanceOf(RecordingException.class)
        .hasMessage(dir + ": is a directory, expected a file");
  }

  @Test
  void unknownFieldsAndBlankLinesAreIgnored() throws IOException {
    String withExtras =
        line(2)
            .replace("{\"id\":", "{\"future\":{\"nested\":[1,2,{\"x\":null}]},\"id\":")
            .replace("\"method\":\"GET\"", "\"method\":\"GET\",\"priority\":5");
    Path f =
        file(
            "rec.jsonl",
            HEADER.replace("{\"format\"", "{\"writer\":\"v9\",\"format\"")
                + "\n\n"
                + withExtras
                + "\n  \n"
                + line(3)
                + "\n");
    try (RecordingReader r = RecordingReader.open(f)) {
      assertThat(readAll(r)).extracting(Exchange::id).containsExactly("e2", "e3");
      assertThat(r.warnings()).isEmpty();
    }
  }

  @Test
  void bodiesKeepTruncationAndBytes() throws IOException {
    Path f =
        file(
            "rec.jsonl",
            HEADER
                + "\n"
                + "{\"id\":\"b\",\"request\":{\"method\":\"POST\",\"target\":\"/\",\"body\":{\"base64\":\"AAEC/w==\",\"truncated\":true,\"size\":9}},"
                + "\"response\":null,\"error\":\"connect timeout\"}\n");
    try (RecordingReader r = RecordingReader.open(f)) {
      Exchange e = r.next();
      assertThat(e.request().body())
          .isEqualTo(new Body.Binary(new byte[] {0, 1, 2, (byte) 0xff}, true, 9));
      assertThat(e.request().body().size()).isEqualTo(9);
      assertThat(e.response()).isNull();
      assertThat(e.error()).isEqualTo("connect timeout");
    }
  }

  @Test
  void aTruncatedBodyWithoutSizeIsAnError() throws IOException {
    Path f =
        file(
            "rec.jsonl",
            HEADER
                + "\n"
                + "{\"id\":\"b\",\"request\":{\"method\":\"POST\",\"target\":\"/\",\"body\":{\"text\":\"ab\",\"truncated\":true}},\"response\":null}\n");
    assertThat(warningsOf(f))
        .containsExactly(
            f
                + ":2: request.body.size: missing (required when truncated is true); skipped this line");
  }
}
