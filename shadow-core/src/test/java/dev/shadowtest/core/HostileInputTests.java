package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile and malformed inputs (GoReplay, HAR, gzip, recordings, links) that once lost data, crashed or leaked: each must stay fixed. */
class HostileInputTests {

  static final String SEP = GorImporterTests.SEP;

  @TempDir Path dir;

  Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  List<Exchange> gor(Path p, List<String> warnings) {
    List<Exchange> out = new ArrayList<>();
    GorImporter.read(p, out::add, warnings::add);
    return out;
  }

  @Test
  void aNegativeOrMalformedChunkSizeIsAnErrorWithALineNotACrash() throws IOException {
    Path neg =
        write(
            "neg.gor",
            "1 r1 1000 0\nPOST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n"
                + SEP);
    assertThatThrownBy(() -> gor(neg, new ArrayList<>()))
        .isInstanceOf(RecordingException.class)
        .hasMessage(neg + ":2: request r1: bad chunk size \"-5\" (expected hex digits)");
    Path framing =
        write(
            "framing.gor",
            "1 r1 1000 0\nPOST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n"
                + SEP);
    assertThatThrownBy(() -> gor(framing, new ArrayList<>()))
        .hasMessageContaining("chunk of 3 bytes is not followed by CRLF");
  }

  @Test
  void aBrokenHeaderLineIsReportedWithoutItsValue() throws IOException {
    Path leak =
        write(
            "leak.gor",
            "1 r1 1000 0\nGET /a?token=SECRET1 HTTP/1.1\r\nAuthorization Bearer SECRET2\r\n\r\n"
                + SEP);
    assertThatThrownBy(() -> gor(leak, new ArrayList<>()))
        .hasMessageContaining("bad header line of 28 characters")
        .message()
        .doesNotContain("SECRET");
    Path line = write("line.gor", "1 r1 1000 0\nGET /a?token=SECRET1 HTTP/1.1 extra\r\n\r\n" + SEP);
    assertThatThrownBy(() -> gor(line, new ArrayList<>()))
        .hasMessageContaining("bad request line \"GET /a?...\"")
        .message()
        .doesNotContain("SECRET");
  }

  @Test
  void repeatedGorIdsPairEachRequestWithItsOwnResponse() throws IOException {
    Path p =
        write(
            "dup.gor",
            "1 dup 1000 0\nGET /first HTTP/1.1\r\n\r\n"
                + SEP
                + "2 dup 2000 1\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"
                + SEP
                + "1 dup 3000 0\nGET /second HTTP/1.1\r\n\r\n"
                + SEP
                + "2 dup 4000 1\nHTTP/1.1 201 OK\r\nContent-Length: 6\r\n\r\nsecond"
                + SEP);
    List<String> warnings = new ArrayList<>();
    List<Exchange> ex = gor(p, warnings);
    assertThat(ex).extracting(Exchange::id).containsExactly("dup", "dup-2");
    assertThat(ex)
        .extracting(e -> e.request().target() + " " + e.response().status())
        .containsExactly("/first 200", "/second 201");
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("1 request id(s) repeated"));
  }

  @Test
  void aGorCaptureCutMidPayloadKeepsEverythingBefore() throws IOException {
    Path p =
        write(
            "cut.gor",
            "1 r1 1000 0\nGET /x HTTP/1.1\r\n\r\n"
                + SEP
                + "2 r1 2000 1\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                + SEP
                + "1 r2 3000 0\nGET /y HT");
    List<String> warnings = new ArrayList<>();
    List<Exchange> ex = gor(p, warnings);
    assertThat(ex).extracting(Exchange::id).containsExactly("r1");
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("capture cut off?"));
  }

  @Test
  void aHarRequestBodyTheToolDidNotKeepIsNotCapturedNeitherAbsentNorTruncated() throws IOException {
    Path har =
        write(
            "nobody.har",
            """
        {"log": {"entries": [
          {"startedDateTime": "2026-11-24T10:00:00+0100", "time": 1,
           "request": {"method": "POST", "url": "http://h/upload", "bodySize": 5000,
                       "headers": [{"name": "Content-Length", "value": "5000"}]},
           "response": {"status": 204, "headers": [], "content": {"size": 0}}},
          {"startedDateTime": "2026-11-24T10:00:01Z", "time": 1,
           "request": {"method": "POST", "url": "http://h/form", "bodySize": 12, "headers": [],
                       "postData": {"mimeType": "multipart/form-data"}},
           "response": {"status": 204, "headers": [], "content": {"size": 0}}}
        ]}}
        """);
    List<Exchange> ex = new ArrayList<>();
    HarImporter.read(har, ex::add, w -> {});
    assertThat(ex.get(0).request().body()).isEqualTo(Body.notCaptured(5000));
    assertThat(ex.get(0).startedAt())
        .hasToString("2026-11-24T09:00:00Z"); // "+0100" offsets are accepted
    assertThat(ex.get(1).request().body()).isEqualTo(Body.notCaptured(12));
  }

  @Test
  void aTruncatedChunkedRequestBodyStaysTruncatedThroughHar() throws IOException {
    Path p =
        write(
            "t.gor",
            "1 r1 1000 0\nPOST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc"
                + SEP);
    Path rec = dir.resolve("t.jsonl");
    GorImporter.importFile(p, rec, Redaction.none());
    Body body = HarImporterTests.read(rec).get(0).request().body();
    assertThat(body.truncated()).isTrue();
    Path har = dir.resolve("t.har");
    Path back = dir.resolve("back.jsonl");
    HarExporter.exportFile(rec, har);
    HarImporter.importFile(har, back, Redaction.none());
    assertThat(HarImporterTests.read(back)).isEqualTo(HarImporterTests.read(rec));
  }

  @Test
  void recordingsHarCannotExpressStillSurviveTheTrip() {
    Path rec = dir.resolve("odd.jsonl");
    List<Exchange> odd =
        List.of(
            new Exchange(
                "opt",
                null,
                null,
                new HttpRequest("OPTIONS", "*", "HTTP/1.1", Headers.of("Host", "h"), Body.none()),
                new HttpResponse(200, "OK", Headers.empty(), Body.none()),
                null,
                Map.of()),
            new Exchange(
                "abs",
                null,
                null,
                new HttpRequest(
                    "GET",
                    "http://up:81/a?b",
                    "HTTP/1.1",
                    Headers.of("Host", "up:81"),
                    Body.none()),
                new HttpResponse(200, "OK", Headers.empty(), Body.none()),
                null,
                Map.of()),
            new Exchange(
                "nohost",
                null,
                null,
                new HttpRequest(
                    "GET", "/x", "HTTP/1.0", Headers.empty(), Body.binary("abc".getBytes())),
                null,
                null,
                Map.of("k", "v")),
            new Exchange(
                "bin",
                null,
                null,
                HttpRequest.of("GET", "/b"),
                new HttpResponse(200, "OK", Headers.empty(), Body.binary("valid utf-8".getBytes())),
                null,
                Map.of()));
    try (RecordingWriter w =
        RecordingWriter.create(rec, RecordingHeader.now("t", Redaction.none()))) {
      odd.forEach(w::write);
    }
    Path har = dir.resolve("odd.har");
    Path back = dir.resolve("back.jsonl");
    HarExporter.exportFile(rec, har);
    HarImporter.importFile(har, back, Redaction.none());
    assertThat(HarImporterTests.read(back)).containsExactlyElementsOf(odd);
  }

  @Test
  void bytesAppendedAfterTheGzipStreamAreAnErrorNotSilentlyDropped() throws IOException {
    Path gz = dir.resolve("rec.jsonl.gz");
    try (RecordingWriter w =
        RecordingWriter.create(gz, RecordingHeader.now("t", Redaction.none()))) {
      w.write(RecordingRoundTripTests.sample("1"));
    }
    Files.write(
        gz,
        (RecordingReaderTests.line(9) + "\n").getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);
    try (RecordingReader r = RecordingReader.open(gz)) {
      assertThat(r.next().id()).isEqualTo("1");
      assertThatThrownBy(r::hasNext)
          .isInstanceOf(RecordingException.class)
          .hasMessageContaining("data after the end of the gzip stream");
    }
  }

  @Test
  void concatenatedGzipMembersAreAllRead() throws IOException {
    Path gz = dir.resolve("multi.jsonl.gz");
    try (OutputStream out = Files.newOutputStream(gz)) {
      for (String part :
          List.of(
              RecordingReaderTests.HEADER + "\n" + RecordingReaderTests.line(2) + "\n",
              RecordingReaderTests.line(3) + "\n")) {
        GZIPOutputStream member = new GZIPOutputStream(out);
        member.write(part.getBytes(StandardCharsets.UTF_8));
        member.finish();
      }
    }
    try (RecordingReader r = RecordingReader.open(gz)) {
      List<Exchange> all = RecordingReaderTests.readAll(r);
      assertThat(all).extracting(Exchange::id).containsExactly("e2", "e3");
    }
  }

  @Test
  void aNewerVersionSaysUpgradeEvenWhenOtherFieldsAreUnfamiliar() throws IOException {
    Path f =
        write(
            "v3.jsonl",
            "{\"format\":\"shadow-recording\",\"version\":3,\"createdAt\":\"2027-01-01\",\"redaction\":[1]}\n");
    assertThatThrownBy(() -> RecordingReader.open(f))
        .hasMessageContaining("unsupported recording version 3");
  }

  @Test
  void theReaderGoesOnPastABadLine() throws IOException {
    Path f =
        write(
            "bad.jsonl",
            RecordingReaderTests.HEADER
                + "\n"
                + RecordingReaderTests.line(2)
                + "\n{oops\n"
                + RecordingReaderTests.line(4)
                + "\n");
    try (RecordingReader r = RecordingReader.open(f)) {
      assertThat(r.next().id()).isEqualTo("e2");
      assertThat(r.next().id()).isEqualTo("e4");
      assertThat(r.hasNext()).isFalse();
      assertThat(r.unreadable()).isEqualTo(1);
      assertThat(r.warnings()).singleElement().asString().startsWith(f + ":3:");
    }
  }

  @Test
  void recordingsAreNeverWrittenThroughSymbolicLinks() throws IOException {
    Path real = write("elsewhere.txt", "x");
    Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), real);
    assertThatThrownBy(
            () -> RecordingWriter.create(link, RecordingHeader.now("t", Redaction.none())))
        .isInstanceOf(RecordingException.class)
        .hasMessageContaining("symbolic link");
    assertThat(Files.readString(real)).isEqualTo("x");
  }

  @Test
  void jsonPathRedactionIsDoneWhereverItIsClaimed() {
    // one spec, one engine: a Redaction that names JSON paths redacts them (it used to refuse)
    Redaction r = new Redaction(List.of(), List.of("$.card.number"));
    Exchange e =
        Exchange.of(
            "1",
            HttpRequest.of("GET", "/pay"),
            new HttpResponse(
                200,
                "OK",
                Headers.of("Content-Type", "application/json"),
                Body.text("{\"card\":{\"number\":\"4111-1111-1111-1111\",\"brand\":\"visa\"}}")));
    String body = new String(r.apply(e).response().body().bytes(), StandardCharsets.UTF_8);
    assertThat(body).doesNotContain("4111").contains("[REDACTED]").contains("visa");
  }
}
