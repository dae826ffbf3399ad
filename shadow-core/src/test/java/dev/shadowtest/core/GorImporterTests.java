package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GorImporterTests {

  static final String SEP = "\n\uD83D\uDC35\uD83D\uDE48\uD83D\uDE49\n";

  @TempDir
  Path dir;

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
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("1 replayed response(s) (type 3) ignored"))
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

  @Test
  void keepsBinaryBodiesByteExact() {
    Exchange d4 = read(sample, new ArrayList<>()).get(3);
    assertThat(d4.response().body()).isEqualTo(Body.binary(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}));
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
    Files.writeString(gor, "1 r1 1000 0\nPUT /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi" + SEP
        + "2 r1 2000 1000\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n", StandardCharsets.UTF_8);
    Exchange e = read(gor, new ArrayList<>()).get(0);
    assertThat(e.request().body()).isEqualTo(Body.text("hi"));
    assertThat(e.response().status()).isEqualTo(204);
    assertThat(e.response().headers()).isEqualTo(Headers.of("X-A", "1"));
    assertThat(e.response().body()).isEqualTo(Body.none());
  }

  @Test
  void aBodyShorterThanItsContentLengthIsFlaggedTruncated() throws IOException {
    Path gor = dir.resolve("t.gor");
    Files.writeString(gor, "1 r1 1000 0\nGET / HTTP/1.1\r\nHost: h\r\n\r\n" + SEP
        + "2 r1 2000 1000\nHTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n{\"partial\":" + SEP, StandardCharsets.UTF_8);
    Body body = read(gor, new ArrayList<>()).get(0).response().body();
    assertThat(body.truncated()).isTrue();
    assertThat(body.size()).isEqualTo(100000);
  }

  @Test
  void aBadPayloadHeaderNamesTheLine() throws IOException {
    Path gor = dir.resolve("bad.gor");
    Files.writeString(gor, "1 r1 1000 0\nGET / HTTP/1.1\r\nHost: h\r\n\r\n" + SEP + "hello there\nGET / HTTP/1.1\r\n\r\n" + SEP,
        StandardCharsets.UTF_8);
    assertThatThrownBy(() -> read(gor, new ArrayList<>())).isInstanceOf(RecordingException.class)
        .hasMessage(gor + ":7: bad payload header \"hello there\" (expected 'TYPE ID TIMESTAMP [LATENCY]' with TYPE 1, 2 or 3)");
  }

  @Test
  void aBadRequestLineNamesTheLine() throws IOException {
    Path gor = dir.resolve("bad.gor");
    Files.writeString(gor, "1 r1 1000 0\nGARBAGE\r\n\r\n" + SEP, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> read(gor, new ArrayList<>()))
        .hasMessage(gor + ":2: request r1: bad request line \"GARBAGE\" (expected METHOD TARGET HTTP/1.x)");
  }

  @Test
  void anUnparseableResponseKeepsTheRequestAndWarns() throws IOException {
    Path gor = dir.resolve("r.gor");
    Files.writeString(gor, "1 r1 1000 0\nGET / HTTP/1.1\r\nHost: h\r\n\r\n" + SEP + "2 r1 2000 1\nSPDY nonsense\r\n\r\n" + SEP,
        StandardCharsets.UTF_8);
    List<String> warnings = new ArrayList<>();
    Exchange e = read(gor, warnings).get(0);
    assertThat(e.response()).isNull();
    assertThat(e.error()).startsWith("unparseable response in the GoReplay file: bad status line");
    assertThat(warnings).singleElement().asString().contains(gor + ":8: response r1:");
  }
}
