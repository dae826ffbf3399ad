package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Recordings of version 2: bodies stored raw after each line's JSON object. */
class RawBodiesTests {

  @TempDir Path dir;

  static final RecordingHeader V2 =
      RecordingHeader.now("test", Redaction.defaults()).withVersion(2);

  static final String HEADER =
      "{\"format\":\"shadow-recording\",\"version\":2,\"source\":\"test\",\"redaction\":{\"headers\":[],\"jsonPaths\":[]}}\n";

  /** A line whose response body is raw: {@code tail} follows the object as written. */
  static String line(String id, int rawLength, String tail) {
    return "{\"id\":\""
        + id
        + "\",\"request\":{\"method\":\"GET\",\"target\":\"/"
        + id
        + "\",\"headers\":[],\"body\":null},\"response\":{\"status\":200,\"headers\":[],\"body\":{\"raw\":"
        + rawLength
        + "}}}"
        + tail;
  }

  static List<Exchange> readAll(Path file, List<String> warnings) {
    List<Exchange> out = new ArrayList<>();
    try (RecordingReader r = RecordingReader.open(file, warnings::add)) {
      r.forEachRemaining(out::add);
    }
    return out;
  }

  static String responseText(Exchange e) {
    return ((Body.Text) e.response().body()).text();
  }

  @ParameterizedTest
  @ValueSource(strings = {"rec.jsonl", "rec.jsonl.gz"})
  void randomExchangesReadBackExactly(String name) throws IOException {
    for (long seed = 1; seed <= 5; seed++) {
      List<Exchange> written = new ArrayList<>(new RandomExchanges(seed).list(300));
      written.addAll(awkward(seed));
      Path file = dir.resolve(seed + "-" + name);
      try (RecordingWriter w = RecordingWriter.create(file, V2)) {
        written.forEach(w::write);
      }
      List<String> warnings = new ArrayList<>();
      List<Exchange> read = new ArrayList<>();
      try (RecordingReader r = RecordingReader.open(file, warnings::add)) {
        assertThat(r.header()).isEqualTo(V2);
        r.forEachRemaining(read::add);
      }
      assertThat(warnings).isEmpty();
      // unlike version 1, no text comes back binary: every body is stored as it was
      assertThat(read).as("seed %d", seed).containsExactlyElementsOf(written);
      assertThat(RecordingReader.estimateExchanges(file)).isEqualTo(written.size());
    }
  }

  /** Bodies that need the raw escapes, or cannot be raw, next to plain ones. */
  static List<Exchange> awkward(long seed) {
    Random random = new Random(seed);
    List<Body> bodies = new ArrayList<>();
    bodies.add(Body.text("line 1\nline 2\r\nback\\slash \\n not a break\t tab"));
    bodies.add(Body.text("\\"));
    bodies.add(Body.text("\n\r\\"));
    bodies.add(Body.text("ends with a backslash \\"));
    bodies.add(Body.text("lone \uD800 surrogate")); // no UTF-8 for it: the JSON text form
    bodies.add(Body.text("{\"name\":\"Zoë 😀 ünïcödé\",\"quote\":\"\\\"\"}"));
    bodies.add(Body.binary("valid UTF-8, but binary".getBytes(StandardCharsets.UTF_8)));
    bodies.add(new Body.Text("cut\nhere", true, 1_000));
    for (int i = 0; i < 40; i++) {
      byte[] b = new byte[random.nextInt(200)];
      for (int j = 0; j < b.length; j++) {
        int k = random.nextInt(8);
        b[j] =
            k == 0
                ? (byte) '\\'
                : k == 1 ? (byte) '\n' : k == 2 ? (byte) '\r' : (byte) random.nextInt();
      }
      bodies.add(Body.binary(b));
      String s = new String(b, StandardCharsets.ISO_8859_1);
      bodies.add(Body.text(s));
    }
    List<Exchange> out = new ArrayList<>();
    for (int i = 0; i < bodies.size(); i++) {
      Body request = bodies.get(bodies.size() - 1 - i);
      HttpResponse response =
          i % 7 == 3 ? null : new HttpResponse(200, "OK", Headers.empty(), bodies.get(i));
      out.add(
          new Exchange(
              "awkward-" + i,
              null,
              null,
              new HttpRequest("POST", "/a", "HTTP/1.1", Headers.empty(), request),
              response,
              response == null ? "connect timeout" : null,
              null));
    }
    return out;
  }

  @Test
  void linesKeepTheirJsonAndTheRawBytesFollowIt() throws IOException {
    Path file = dir.resolve("rec.jsonl");
    try (RecordingWriter w = RecordingWriter.create(file, V2)) {
      w.write(
          new Exchange(
              "1",
              null,
              null,
              new HttpRequest("POST", "/a", "HTTP/1.1", Headers.empty(), Body.text("a\nb")),
              new HttpResponse(
                  200, "OK", Headers.empty(), Body.binary(new byte[] {'\\', 'x', '\r'})),
              null,
              null));
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).startsWith("{\"format\":\"shadow-recording\",\"version\":2,");
    assertThat(lines.get(1))
        .contains("\"body\":{\"raw\":3}")
        .contains("\"body\":{\"raw\":3,\"binary\":true}")
        .endsWith("}\ta\\nb\t\\\\x\\r");
  }

  /**
   * A text read from a version-2 line keeps the bytes it was read from (an answer is compared
   * with them, Sender), escaped or not, ASCII or not; one read from a JSON string has none.
   */
  @Test
  void aRawTextKeepsItsBytes_aJsonTextHasNone() throws IOException {
    List<String> texts = List.of("{\"a\":1}", "a\nb\\c\r", "Zo\u00eb \ud83d\ude00 \\ \n");
    for (RecordingHeader header : List.of(V2, V2.withVersion(1))) {
      Path file = dir.resolve("keeps-" + header.version() + ".jsonl");
      try (RecordingWriter w = RecordingWriter.create(file, header)) {
        for (String t : texts) {
          w.write(
              new Exchange(
                  t,
                  null,
                  null,
                  new HttpRequest("GET", "/a", "HTTP/1.1", Headers.empty(), Body.none()),
                  new HttpResponse(200, "OK", Headers.empty(), Body.text(t)),
                  null,
                  null));
        }
      }
      List<Exchange> read = readAll(file, new ArrayList<>());
      assertThat(read).hasSize(texts.size());
      for (int i = 0; i < texts.size(); i++) {
        Body.Text body = (Body.Text) read.get(i).response().body();
        assertThat(body).isEqualTo(Body.text(texts.get(i)));
        if (header.rawBodies()) {
          assertThat(body.utf8())
              .get()
              .isEqualTo(ByteBuffer.wrap(texts.get(i).getBytes(StandardCharsets.UTF_8)));
        } else {
          assertThat(body.utf8()).isEmpty();
        }
      }
    }
  }

  @Test
  void aCrlfLineEndIsNotPartOfTheBody() throws IOException {
    Path file = dir.resolve("crlf.jsonl");
    Files.writeString(file, HEADER.replace("\n", "\r\n") + line("a", 3, "\tabc") + "\r\n");
    List<String> warnings = new ArrayList<>();
    List<Exchange> read = readAll(file, warnings);
    assertThat(warnings).isEmpty();
    assertThat(read).hasSize(1);
    assertThat(responseText(read.get(0))).isEqualTo("abc");
  }

  @Test
  void aBadTailSkipsItsLineOnlyAndSaysWhy() throws IOException {
    Path file = dir.resolve("bad.jsonl");
    Files.writeString(
        file,
        HEADER
            + line("ok1", 2, "\tok")
            + "\n"
            + line("no-tab", 2, " ok")
            + "\n"
            + line("short", 5, "\tab")
            + "\n"
            + line("short-escaped", 5, "\ta\\n")
            + "\n"
            + line("bad-escape", 2, "\t\\t")
            + "\n"
            + line("long", 2, "\tabc")
            + "\n"
            + line("no-tail", 2, "")
            + "\n"
            + line("bad-utf8", 1, "\t\u00ff") // 0xc3 0xbf: one byte of a character
            + "\n"
            + line("ok2", 0, "\t")
            + "\n");

    List<String> warnings = new ArrayList<>();
    List<Exchange> read = readAll(file, warnings);
    assertThat(read).extracting(Exchange::id).containsExactly("ok1", "ok2");
    assertThat(responseText(read.get(1))).isEmpty();
    assertThat(warnings)
        .containsExactly(
            file
                + ":3: response.body.raw: expected a tab and the body's 2 raw byte(s) after the exchange object, found ' '; skipped this line",
            file
                + ":4: response.body.raw: the line ends after 2 of the body's 5 raw byte(s); skipped this line",
            file
                + ":5: response.body.raw: the line ends after 2 of the body's 5 raw byte(s); skipped this line",
            file
                + ":6: response.body.raw: unknown escape '\\t' after 0 raw byte(s) (only \\\\, \\n and \\r are escaped); skipped this line",
            file
                + ":7: 1 unexpected byte(s) after the raw bodies (a \"raw\" length that is too short?); skipped this line",
            file
                + ":8: response.body.raw: expected a tab and the body's 2 raw byte(s) after the exchange object, but the line ends there; skipped this line",
            file
                + ":9: response.body.raw: the raw bytes are not valid UTF-8 (a binary body says \"binary\": true); skipped this line");
  }

  @Test
  void aHugeAnnouncedLengthOnAShortLineSetsNothingAside() throws IOException {
    Path file = dir.resolve("huge.jsonl");
    StringBuilder lines = new StringBuilder(HEADER);
    for (int i = 0; i < 20; i++) {
      lines.append(line("liar" + i, 250_000_000, "\t\\n a few bytes")).append('\n');
    }
    Files.writeString(file, lines + line("ok", 2, "\tok") + "\n");
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    List<String> warnings = new ArrayList<>();
    List<Exchange> read = readAll(file, warnings);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(read).extracting(Exchange::id).containsExactly("ok");
    assertThat(warnings)
        .hasSize(20)
        .allMatch(w -> w.contains("the line ends after 13 of the body's 250000000 raw byte(s)"));
    // 20 lines announcing 250 MB each: the reader's buffers, not the announced lengths
    assertThat(allocated).isLessThan(16L << 20);
  }

  @Test
  void aLastLineCutInItsRawBodyKeepsEverythingBefore() throws IOException {
    Path file = dir.resolve("cut.jsonl");
    Files.writeString(file, HEADER + line("a", 2, "\tok") + "\n" + line("b", 10, "\tcut off"));
    List<String> warnings = new ArrayList<>();
    List<Exchange> read = readAll(file, warnings);
    assertThat(read).extracting(Exchange::id).containsExactly("a");
    assertThat(warnings)
        .singleElement()
        .asString()
        .contains(":3: last line is incomplete (cut off mid-write?)")
        .contains("kept the 1 exchange(s) before it");
  }

  @Test
  void rawBodiesAreRefusedInVersionOneFilesAndKafkaRecords() throws IOException {
    Path file = dir.resolve("v1.jsonl");
    Files.writeString(
        file, HEADER.replace("\"version\":2", "\"version\":1") + line("a", 2, "\tok") + "\n");
    List<String> warnings = new ArrayList<>();
    assertThat(readAll(file, warnings)).isEmpty();
    assertThat(warnings)
        .singleElement()
        .asString()
        .contains(
            ":2: response.body.raw: raw bodies are only read from files of recording version 2");
    assertThatThrownBy(
            () -> RecordingReader.parseExchange(line("a", 2, "").getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("raw bodies are only read from files of recording version 2");
  }

  @Test
  void aNewerVersionAsksForAnUpgrade() throws IOException {
    Path file = dir.resolve("v3.jsonl");
    Files.writeString(file, HEADER.replace("\"version\":2", "\"version\":3"));
    assertThatThrownBy(() -> RecordingReader.open(file))
        .isInstanceOf(RecordingException.class)
        .hasMessageContaining(
            "unsupported recording version 3 (this Shadow reads versions 1 and 2");
  }

  @Test
  void aLineOverTheLimitHasItsBodiesCutToFit() throws IOException {
    Path file = dir.resolve("cut.jsonl");
    byte[] big = new byte[50_000];
    new Random(7).nextBytes(big); // escapes included: about 1% of the bytes take two
    try (RecordingWriter w = RecordingWriter.create(file, V2).maxLineBytes(20_000)) {
      w.write(
          new Exchange(
              "big",
              null,
              null,
              new HttpRequest("POST", "/a", "HTTP/1.1", Headers.empty(), Body.binary(big)),
              new HttpResponse(200, "OK", Headers.empty(), Body.text("x".repeat(30_000))),
              null,
              null));
      assertThat(w.cutToFit()).isEqualTo(1);
    }
    byte[] bytes = Files.readAllBytes(file);
    int firstBreak = new String(bytes, StandardCharsets.ISO_8859_1).indexOf('\n');
    assertThat(bytes.length - firstBreak - 2).isLessThanOrEqualTo(20_000);
    List<String> warnings = new ArrayList<>();
    Exchange e = readAll(file, warnings).get(0);
    assertThat(warnings).isEmpty();
    assertThat(e.request().body().truncated()).isTrue();
    assertThat(e.request().body().size()).isEqualTo(50_000);
    assertThat(e.request().body().bytes())
        .isEqualTo(java.util.Arrays.copyOf(big, e.request().body().bytes().length));
  }

  @Test
  void theWordSearchFindsWhatALoopFinds() {
    Random random = new Random(19);
    byte[] alphabet = {
      '\\', '\n', '\r', 0, 'a', (byte) 0x80, (byte) 0xff, 0x5b, 0x5d, 0x0b, 0x0c, 0x0e
    };
    for (int round = 0; round < 20_000; round++) {
      byte[] b = new byte[random.nextInt(40)];
      for (int i = 0; i < b.length; i++) {
        b[i] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) 'x';
      }
      int from = b.length == 0 ? 0 : random.nextInt(b.length);
      int expected = -1;
      for (int i = from; i < b.length; i++) {
        if (b[i] == '\\' || b[i] == '\n' || b[i] == '\r') {
          expected = i;
          break;
        }
      }
      assertThat(RawBodies.nextSpecial(b, from, b.length)).isEqualTo(expected);
    }
  }
}
