package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingWriterTests {

  static final int LIMIT = 64 * 1024;

  @TempDir Path dir;

  static Exchange exchange(String id, Body requestBody, Body responseBody) {
    return new Exchange(
        id,
        null,
        null,
        new HttpRequest("POST", "/upload", "HTTP/1.1", Headers.of("Host", "h"), requestBody),
        new HttpResponse(200, "OK", Headers.of("Content-Type", "text/plain"), responseBody),
        null,
        Map.of());
  }

  List<Exchange> writeAndRead(Path file, long lineLimit, Exchange... exchanges) {
    try (RecordingWriter w =
        RecordingWriter.create(file, RecordingHeader.now("t", Redaction.none()))
            .maxLineBytes(lineLimit)) {
      for (Exchange e : exchanges) {
        w.write(e);
      }
    }
    try (RecordingReader r = RecordingReader.open(file)) {
      List<Exchange> out = new ArrayList<>();
      r.forEachRemaining(out::add);
      assertThat(r.unreadable()).isZero();
      return out;
    }
  }

  static List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8);
  }

  @Test
  void aTextBodyOfControlBytesIsStoredAsBase64AndReadsBackAsTheSameBytes() throws IOException {
    Path f = dir.resolve("nul.jsonl");
    String nuls = "\0".repeat(30_000);
    Exchange read =
        writeAndRead(f, RecordingWriter.MAX_LINE_BYTES, exchange("n", Body.none(), Body.text(nuls)))
            .get(0);
    assertThat(read.response().body()).isInstanceOf(Body.Binary.class);
    assertThat(read.response().body().bytes()).isEqualTo(nuls.getBytes(StandardCharsets.UTF_8));
    assertThat(lines(f).get(1))
        .contains("\"body\":{\"base64\":\"AAAA")
        .hasSizeLessThan(41_000); // not 180,000
  }

  @Test
  void aTextBodyWithAFewEscapesStaysText() throws IOException {
    Path f = dir.resolve("json.jsonl");
    String json = "{\n  \"a\": \"tab\\there\",\n  \"b\": [1, 2]\n}\n";
    Exchange read =
        writeAndRead(f, RecordingWriter.MAX_LINE_BYTES, exchange("j", Body.none(), Body.text(json)))
            .get(0);
    assertThat(read.response().body()).isEqualTo(Body.text(json));
    assertThat(lines(f).get(1)).contains("\"body\":{\"text\":");
  }

  @Test
  void aTruncatedTextBodyStoredAsBase64KeepsItsFlagAndSize() {
    Path f = dir.resolve("cut.jsonl");
    Body cut = new Body.Text("\u0001".repeat(ExchangeCodec.SMALL_TEXT + 100), true, 50_000);
    Body read =
        writeAndRead(f, RecordingWriter.MAX_LINE_BYTES, exchange("c", Body.none(), cut))
            .get(0)
            .response()
            .body();
    assertThat(read).isEqualTo(new Body.Binary(cut.bytes(), true, 50_000));
  }

  @Test
  void theLargestBodyIsCutWhenTheLineWouldBeTooLong() throws IOException {
    Path f = dir.resolve("big.jsonl");
    Body small = Body.text("x".repeat(1000));
    Body big = Body.text("y".repeat(200_000));
    Exchange read = writeAndRead(f, LIMIT, exchange("b", small, big)).get(0);
    assertThat(read.request().body()).isEqualTo(small);
    Body cut = read.response().body();
    assertThat(cut.truncated()).isTrue();
    assertThat(cut.size()).isEqualTo(200_000);
    assertThat(new String(cut.bytes(), StandardCharsets.UTF_8)).matches("y{40000,}");
    assertThat(lines(f).get(1).getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(LIMIT);
  }

  @Test
  void bothBodiesAreCutWhenCuttingTheLargestIsNotEnough() throws IOException {
    Path f = dir.resolve("both.jsonl");
    Exchange read =
        writeAndRead(
                f,
                LIMIT,
                exchange("b", Body.binary(new byte[100_000]), Body.text("z".repeat(90_000))))
            .get(0);
    assertThat(read.request().body().truncated()).isTrue();
    assertThat(read.request().body().size()).isEqualTo(100_000);
    assertThat(read.response().body().truncated()).isTrue();
    assertThat(read.response().body().size()).isEqualTo(90_000);
    assertThat(lines(f).get(1).getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(LIMIT);
  }

  @Test
  void aLineJustUnderTheLimitIsWrittenWhole() throws IOException {
    Path measure = dir.resolve("measure.jsonl");
    writeAndRead(
        measure, RecordingWriter.MAX_LINE_BYTES, exchange("m", Body.none(), Body.text("")));
    int overhead = lines(measure).get(1).getBytes(StandardCharsets.UTF_8).length;
    Body fits = Body.text("w".repeat(LIMIT - overhead));
    Path f = dir.resolve("fits.jsonl");
    try (RecordingWriter w =
        RecordingWriter.create(f, RecordingHeader.now("t", Redaction.none())).maxLineBytes(LIMIT)) {
      w.write(exchange("m", Body.none(), fits));
      assertThat(w.cutToFit()).isZero();
    }
    assertThat(lines(f).get(1).getBytes(StandardCharsets.UTF_8).length).isEqualTo(LIMIT);
    assertThat(HarImporterTests.read(f).get(0).response().body()).isEqualTo(fits);
  }

  @Test
  void theFastUpperBoundIsNeverBelowTheExactLineLength() {
    for (Exchange e : new RandomExchanges(11).list(500)) {
      ExchangeCodec.BodyForm rq = ExchangeCodec.form(e.request().body());
      ExchangeCodec.BodyForm rs =
          e.response() == null
              ? ExchangeCodec.BodyForm.NULL
              : ExchangeCodec.form(e.response().body());
      assertThat(ExchangeCodec.sizeWithoutBodies(e) + rq.valueBytes() + rs.valueBytes())
          .as(e.id())
          .isGreaterThanOrEqualTo(ExchangeCodec.lineLength(e, rq, rs));
    }
  }

  @Test
  void anExchangeTooLargeWithoutItsBodiesIsRefusedBeforeAnythingIsWritten() {
    Path f = dir.resolve("headers.jsonl");
    Exchange huge =
        exchange("h", Body.none(), Body.none())
            .withRequest(HttpRequest.of("GET", "/" + "a".repeat(LIMIT)));
    try (RecordingWriter w =
        RecordingWriter.create(f, RecordingHeader.now("t", Redaction.none())).maxLineBytes(LIMIT)) {
      w.write(exchange("before", Body.none(), Body.text("ok")));
      assertThatThrownBy(() -> w.write(huge))
          .isInstanceOf(UnwritableExchangeException.class)
          .hasMessageStartingWith(
              "exchange h cannot be written: its target, headers and tags alone take ");
      w.write(exchange("after", Body.none(), Body.text("ok")));
    }
    assertThat(HarImporterTests.read(f))
        .extracting(Exchange::id)
        .containsExactly("before", "after");
  }

  @Test
  void moreHeaderFieldsThanALineMayHoldAreRefusedByTheWriterAndSkippedByTheReader()
      throws IOException {
    List<Headers.Field> many = new ArrayList<>();
    for (int i = 0; i <= ExchangeCodec.MAX_FIELDS; i++) {
      many.add(new Headers.Field("a", "b"));
    }
    Exchange e =
        exchange("many", Body.none(), Body.none())
            .withRequest(HttpRequest.of("GET", "/").withHeaders(Headers.of(many)));
    try (RecordingWriter w =
        RecordingWriter.create(
            dir.resolve("w.jsonl"), RecordingHeader.now("t", Redaction.none()))) {
      assertThatThrownBy(() -> w.write(e))
          .isInstanceOf(UnwritableExchangeException.class)
          .hasMessage(
              "exchange many has 100001 request headers, more than a recording line may hold (100000)");
    }
    Path f = dir.resolve("r.jsonl");
    Files.writeString(
        f,
        RecordingReaderTests.HEADER
            + "\n"
            + "{\"id\":\"many\",\"request\":{\"method\":\"GET\",\"target\":\"/\",\"headers\":["
            + "[\"a\",\"b\"],".repeat(ExchangeCodec.MAX_FIELDS)
            + "[\"a\",\"b\"]]},\"response\":null}\n"
            + RecordingReaderTests.line(3)
            + "\n");
    assertThat(RecordingReaderTests.warningsOf(f))
        .containsExactly(
            f + ":2: request.headers: more than 100000 header fields; skipped this line");
  }
}
