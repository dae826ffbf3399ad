package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HarImporterTests {

  @TempDir Path dir;

  Path shopHar;

  @BeforeEach
  void copyFixture() throws IOException {
    shopHar = dir.resolve("shop.har");
    try (InputStream in = getClass().getResourceAsStream("/har/shop.har")) {
      Files.copy(in, shopHar, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static List<Exchange> read(Path recording) {
    try (RecordingReader r = RecordingReader.open(recording)) {
      List<Exchange> out = new ArrayList<>();
      r.forEachRemaining(out::add);
      return out;
    }
  }

  static List<Exchange> readHar(Path har) {
    List<Exchange> out = new ArrayList<>();
    HarImporter.read(har, out::add, w -> {});
    return out;
  }

  @Test
  void importsEntriesInOrderWithTargetsHostsAndTimes() {
    List<Exchange> ex = readHar(shopHar);
    assertThat(ex)
        .extracting(e -> e.request().method() + " " + e.request().target())
        .containsExactly(
            "GET /api/products/42?verbose=1",
            "GET /api/products?category=kitchen&page=2",
            "GET /img/products/42.png",
            "POST /api/carts",
            "GET /api/products/999",
            "POST /api/search",
            "GET /api/recommendations");
    Exchange first = ex.get(0);
    assertThat(first.startedAt()).hasToString("2026-11-24T09:00:01.123Z"); // +01:00 in the HAR
    assertThat(first.durationMicros()).isEqualTo(12_500L);
    assertThat(first.request().headers().first("host")).contains("shop.example.test");
    assertThat(first.response().headers().all("Set-Cookie"))
        .containsExactly("a=1; Path=/", "b=2; Path=/");
    assertThat(first.response().body()).isInstanceOf(Body.Text.class);
    assertThat(((Body.Text) first.response().body()).text()).contains("Blue mug");
  }

  @Test
  void decodesBase64ContentIntoBinaryBodies() {
    Body png = readHar(shopHar).get(2).response().body();
    assertThat(png).isInstanceOf(Body.Binary.class);
    assertThat(png.bytes()).startsWith(0x89, 'P', 'N', 'G');
    assertThat(png.truncated()).isFalse();
  }

  @Test
  void rebuildsFormBodiesFromParamsAndKeepsPostText() {
    List<Exchange> ex = readHar(shopHar);
    assertThat(((Body.Text) ex.get(3).request().body()).text())
        .isEqualTo("{\"sku\": \"MUG-42\", \"qty\": 1}\n");
    assertThat(((Body.Text) ex.get(5).request().body()).text()).isEqualTo("q=blue+mug&limit=10");
  }

  @Test
  void aStatusZeroEntryBecomesAnExchangeWithoutResponse() {
    Exchange failed = readHar(shopHar).get(6);
    assertThat(failed.response()).isNull();
    assertThat(failed.error()).isEqualTo("net::ERR_CONNECTION_REFUSED");
  }

  @Test
  void idsAreStableAcrossImports() {
    assertThat(readHar(shopHar))
        .extracting(Exchange::id)
        .isEqualTo(readHar(shopHar).stream().map(Exchange::id).toList())
        .doesNotHaveDuplicates();
  }

  @Test
  void importRedactsCredentialsByDefaultAndSaysSo() {
    Path out = dir.resolve("r.jsonl");
    ImportResult result = HarImporter.importFile(shopHar, out, Redaction.defaults());
    assertThat(result.exchanges()).isEqualTo(7);
    assertThat(result.withoutResponse()).isEqualTo(1);
    List<Exchange> ex = read(out);
    assertThat(ex.get(0).request().headers().all("Authorization")).containsExactly("[REDACTED]");
    assertThat(ex.get(0).request().headers().all("Cookie")).containsExactly("[REDACTED]");
    assertThat(ex.get(0).response().headers().all("set-cookie"))
        .containsExactly("[REDACTED]", "[REDACTED]");
    assertThat(ex.get(3).request().headers().all("X-Api-Key")).containsExactly("[REDACTED]");
    try (RecordingReader r = RecordingReader.open(out)) {
      assertThat(r.header().source()).isEqualTo("import:har");
      assertThat(r.header().redaction().headers()).contains("Authorization", "Set-Cookie");
    }
  }

  @Test
  void harToRecordingToHarToRecordingGivesEqualExchanges() throws IOException {
    Path r1 = dir.resolve("r1.jsonl.gz");
    Path back = dir.resolve("back.har");
    Path r2 = dir.resolve("r2.jsonl");
    HarImporter.importFile(shopHar, r1, Redaction.none());
    ImportResult exported = HarExporter.exportFile(r1, back);
    assertThat(exported.exchanges()).isEqualTo(7);
    HarImporter.importFile(back, r2, Redaction.none());
    List<Exchange> first = read(r1);
    assertThat(read(r2)).containsExactlyElementsOf(first);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(back)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(r1)))
        .isEqualTo("rw-------");
  }

  @Test
  void randomRecordingsSurviveHarExportAndImport() {
    // Through HAR, a recording keeps everything the HAR model can carry; normalise what it cannot
    // (no scheme, no "unknown" start time) by importing once first, then the trip must be exact.
    Path rec = dir.resolve("random.jsonl");
    try (RecordingWriter w =
        RecordingWriter.create(rec, RecordingHeader.now("t", Redaction.none()))) {
      for (Exchange e : new RandomExchanges(7).list(200)) {
        w.write(harFriendly(e));
      }
    }
    Path har1 = dir.resolve("1.har");
    Path rec1 = dir.resolve("1.jsonl");
    Path har2 = dir.resolve("2.har");
    Path rec2 = dir.resolve("2.jsonl");
    HarExporter.exportFile(rec, har1);
    HarImporter.importFile(har1, rec1, Redaction.none());
    HarExporter.exportFile(rec1, har2);
    HarImporter.importFile(har2, rec2, Redaction.none());
    List<Exchange> once = read(rec1);
    assertThat(read(rec2)).containsExactlyElementsOf(once);
    assertThat(once).hasSize(200);
    // binary bodies are byte-exact through HAR
    List<Exchange> original = read(rec);
    for (int i = 0; i < original.size(); i++) {
      if (original.get(i).response() != null
          && original.get(i).response().body() instanceof Body.Binary b) {
        assertThat(once.get(i).response().body().bytes()).isEqualTo(b.bytes());
      }
    }
  }

  /** Targets that HAR URLs can express: origin form without '#'. */
  private static Exchange harFriendly(Exchange e) {
    String target =
        e.request()
            .target()
            .replace("#", "%23")
            .replace(" ", "%20")
            .replace("\n", "%0A")
            .replace("\t", "%09");
    Headers h =
        e.request()
            .headers()
            .without("Host")
            .without("Content-Length")
            .withFirst("Host", "example.test");
    return e.withRequest(
        new HttpRequest(
            e.request().method(), target, e.request().httpVersion(), h, e.request().body()));
  }

  static String entry(String method, String url, String... headers) {
    StringBuilder h = new StringBuilder();
    for (int i = 0; i < headers.length; i += 2) {
      h.append(h.length() == 0 ? "" : ",")
          .append("{\"name\":\"")
          .append(headers[i])
          .append("\",\"value\":\"")
          .append(headers[i + 1])
          .append("\"}");
    }
    return "{\"startedDateTime\":\"2025-03-04T09:15:00.000Z\",\"time\":5,"
        + "\"request\":{\"method\":\""
        + method
        + "\",\"url\":\""
        + url
        + "\",\"httpVersion\":\"HTTP/1.1\",\"headers\":["
        + h
        + "],\"queryString\":[],\"cookies\":[],\"headersSize\":-1,\"bodySize\":0},"
        + "\"response\":{\"status\":200,\"statusText\":\"OK\",\"httpVersion\":\"HTTP/1.1\","
        + "\"headers\":[],\"cookies\":[],\"content\":{\"size\":2,\"mimeType\":\"text/plain\","
        + "\"text\":\"ok\"},\"redirectURL\":\"\",\"headersSize\":-1,\"bodySize\":2},"
        + "\"cache\":{},\"timings\":{\"send\":0,\"wait\":5,\"receive\":0}}";
  }

  @Test
  void urlsAreSentAsBrowsersSendThemAndBadMethodsAreSkipped() throws IOException {
    Path har = dir.resolve("wire.har");
    Files.writeString(
        har,
        "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"x\",\"version\":\"1\"},\"entries\":["
            + String.join(
                ",",
                entry("GET", "http://h.test/café?q=日本 x"),
                entry("GET", "http://h.test/caf%C3%A9?q=%20"),
                entry("GET", "http://bücher.example:8080/a"),
                entry("GET", "http://h.test/b", "Host", "bücher.example"),
                entry("GE T", "http://h.test/c"),
                entry("DELETE /victim HTTP/1.1\\r\\nHost: h\\r\\n\\r\\nGET", "http://h.test/d"))
            + "]}}",
        StandardCharsets.UTF_8);
    List<Exchange> ex = readHar(har);
    assertThat(ex)
        .extracting(e -> e.request().method() + " " + e.request().target())
        .containsExactly(
            "GET /caf%C3%A9?q=%E6%97%A5%E6%9C%AC%20x",
            "GET /caf%C3%A9?q=%20", // already encoded: as it is
            "GET /a",
            "GET /b");
    assertThat(ex.get(2).request().headers().first("Host")).contains("xn--bcher-kva.example:8080");
    assertThat(ex.get(3).request().headers().first("Host")).contains("xn--bcher-kva.example");
    ImportResult r =
        HarImporter.importFile(
            har,
            dir.resolve("wire.jsonl"),
            ImportOptions.defaults().withRedaction(Redaction.none()));
    assertThat(r.exchanges()).isEqualTo(4);
    assertThat(r.warnings())
        .anyMatch(
            w ->
                w.equals(
                    har
                        + ": skipped 2 entries whose method is no HTTP token (a request no client"
                        + " can send, never put on a wire); first at log.entries[4]"));
  }

  @Test
  void requestCookiesListedApartBecomeTheCookieHeader() throws IOException {
    String listed =
        entry("GET", "http://h.test/me")
            .replace(
                "\"cookies\":[],\"headersSize\"",
                "\"cookies\":[{\"name\":\"sid\",\"value\":\"abc\"},{\"name\":\"lang\",\"value\":\"nl\"}],\"headersSize\"");
    String both =
        entry("GET", "http://h.test/both", "Cookie", "sid=xyz")
            .replace(
                "\"cookies\":[],\"headersSize\"",
                "\"cookies\":[{\"name\":\"sid\",\"value\":\"xyz\"}],\"headersSize\"");
    Path har = dir.resolve("cookies.har");
    Files.writeString(
        har,
        "{\"log\":{\"version\":\"1.2\",\"entries\":[" + listed + "," + both + "]}}",
        StandardCharsets.UTF_8);
    List<Exchange> ex = readHar(har);
    assertThat(ex.get(0).request().headers().all("Cookie")).containsExactly("sid=abc; lang=nl");
    assertThat(ex.get(0).tags()).containsEntry(HarImporter.TAG_COOKIE_REBUILT, "request");
    assertThat(ex.get(1).request().headers().all("Cookie")).containsExactly("sid=xyz");
    // imported with the default redaction, the rebuilt header is redacted like any other
    Path rec = dir.resolve("cookies.jsonl");
    HarImporter.importFile(har, rec, ImportOptions.defaults());
    assertThat(read(rec).get(0).request().headers().first("Cookie")).hasValue("[REDACTED]");
  }

  @Test
  void anEmptyTextWhereTheSizesSayThereWasABodyIsNotCaptured() throws IOException {
    String sized =
        entry("GET", "http://h.test/sized")
            .replace("\"size\":2", "\"size\":500")
            .replace("\"text\":\"ok\"", "\"text\":\"\"");
    String lengthOnly =
        entry("GET", "http://h.test/length")
            .replace("\"size\":2", "\"size\":-1")
            .replace("\"text\":\"ok\"", "\"text\":\"\"")
            .replace(
                "\"response\":{\"status\":200,\"statusText\":\"OK\",\"httpVersion\":\"HTTP/1.1\",\"headers\":[]",
                "\"response\":{\"status\":200,\"statusText\":\"OK\",\"httpVersion\":\"HTTP/1.1\","
                    + "\"headers\":[{\"name\":\"Content-Length\",\"value\":\"500\"}]");
    String empty =
        entry("GET", "http://h.test/empty")
            .replace("\"size\":2", "\"size\":0")
            .replace("\"text\":\"ok\"", "\"text\":\"\"");
    Path har = dir.resolve("empty-text.har");
    Files.writeString(
        har,
        "{\"log\":{\"version\":\"1.2\",\"entries\":["
            + String.join(",", sized, lengthOnly, empty)
            + "]}}",
        StandardCharsets.UTF_8);
    List<Exchange> ex = readHar(har);
    assertThat(ex.get(0).response().body()).isInstanceOf(Body.NotCaptured.class);
    assertThat(ex.get(1).response().body()).isInstanceOf(Body.NotCaptured.class);
    assertThat(ex.get(2).response().body()).isEqualTo(Body.text("")); // an empty body, declared so
  }

  @Test
  void anEntryWithoutMethodNamesTheEntryAndField() throws IOException {
    Path har = dir.resolve("bad.har");
    Files.writeString(har, Files.readString(shopHar).replaceFirst("\"method\": \"POST\",", ""));
    assertThatThrownBy(() -> readHar(har))
        .isInstanceOf(RecordingException.class)
        .hasMessageMatching(
            "\\Q" + har + "\\E:\\d+: log\\.entries\\[3\\]\\.request\\.method: missing");
  }

  @Test
  void badHarFilesAreClearErrors() throws IOException {
    Path notJson = dir.resolve("x.har");
    Files.writeString(notJson, "{\"log\": {\"entries\": [ {,");
    assertThatThrownBy(() -> readHar(notJson))
        .hasMessageStartingWith(notJson + ":1: not valid JSON:");
    Path noEntries = dir.resolve("y.har");
    Files.writeString(noEntries, "{\"log\": {\"version\": \"1.2\"}}");
    assertThatThrownBy(() -> readHar(noEntries))
        .hasMessage(noEntries + ": not a HAR file: no log.entries array");
    Path missing = dir.resolve("missing.har");
    assertThatThrownBy(() -> readHar(missing)).hasMessage(missing + ": no such file");
    assertThatThrownBy(() -> readHar(dir)).hasMessage(dir + ": is a directory, expected a file");
  }

  @Test
  void aFailedImportLeavesNoOutputBehind() throws IOException {
    Path har = dir.resolve("bad.har");
    Files.writeString(
        har, Files.readString(shopHar).replaceFirst("\"status\": 404", "\"status\": \"x\""));
    Path out = dir.resolve("out.jsonl");
    assertThatThrownBy(() -> HarImporter.importFile(har, out, Redaction.defaults()))
        .hasMessageContaining("log.entries[4].response.status: expected an integer");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("shop.har", "bad.har");
    }
  }

  /** A HAR of the given entries, each {@code {"request": ..., "response": ...}} JSON. */
  Path har(String name, String... entries) throws IOException {
    Path har = dir.resolve(name);
    Files.writeString(
        har,
        "{\"log\": {\"version\": \"1.2\", \"entries\": [" + String.join(",\n", entries) + "]}}");
    return har;
  }

  static String entry(String url, String postData, String content) {
    return "{\"startedDateTime\": \"2026-11-24T10:00:00Z\", \"time\": 1, \"request\": {\"method\": \"POST\", \"url\": \""
        + url
        + "\", \"headers\": []"
        + (postData == null ? "" : ", \"postData\": " + postData)
        + "}, \"response\": {\"status\": 200, \"headers\": [], \"content\": "
        + content
        + "}}";
  }

  static final long LIMIT = 64 * 1024;

  List<Exchange> readHar(Path har, long maxBody, List<String> warnings) {
    List<Exchange> out = new ArrayList<>();
    HarImporter.read(har, maxBody, out::add, warnings::add);
    return out;
  }

  /** Two HAR documents joined, or anything after the first: an error naming the place, never ignored. */
  @Test
  void contentAfterTheHarDocumentIsAnError() throws IOException {
    Path one = har("one.har", entry("http://h/a", null, "{\"size\": 2, \"text\": \"ok\"}"));
    String doc = Files.readString(one);
    for (String after : new String[] {"\n" + doc, "\n{garbage", " []"}) {
      Path joined = dir.resolve("joined.har");
      Files.writeString(joined, doc + after);
      assertThatThrownBy(() -> readHar(joined, LIMIT, new ArrayList<>()))
          .isInstanceOf(RecordingException.class)
          .hasMessageStartingWith(joined + ":")
          .hasMessageContaining("more content after the end of the HAR document");
    }
    Files.writeString(dir.resolve("spaces.har"), doc + "\n  \n");
    assertThat(readHar(dir.resolve("spaces.har"), LIMIT, new ArrayList<>())).hasSize(1);
  }

  /** A POST whose type is in postData alone gets it as its Content-Type header, tagged. */
  @Test
  void aRequestTypeGivenInPostDataAloneBecomesItsContentType() throws IOException {
    Path har =
        har(
            "posts.har",
            entry("http://h/form", "{\"mimeType\": \"application/json\", \"text\": \"{}\"}", "{}"),
            entry("http://h/none", "{\"mimeType\": \"\", \"text\": \"x\"}", "{}"));
    List<Exchange> ex = readHar(har, LIMIT, new ArrayList<>());
    assertThat(ex.get(0).request().headers().first("Content-Type")).contains("application/json");
    assertThat(ex.get(0).tags()).containsEntry(HarImporter.TAG_CONTENT_TYPE, "application/json");
    assertThat(ex.get(1).request().headers().contains("Content-Type")).isFalse();
  }

  /** A response with no content object, where bodySize says there was a body: not captured, not empty. */
  @Test
  void aResponseWithoutContentButWithASizeIsNotCaptured() throws IOException {
    Path har =
        har(
            "nocontent.har",
            "{\"startedDateTime\": \"2026-11-24T10:00:00Z\", \"time\": 1, \"request\": {\"method\":"
                + " \"GET\", \"url\": \"http://h/a\", \"headers\": []}, \"response\": {\"status\":"
                + " 200, \"headers\": [], \"bodySize\": 5}}",
            "{\"startedDateTime\": \"2026-11-24T10:00:00Z\", \"time\": 1, \"request\": {\"method\":"
                + " \"GET\", \"url\": \"http://h/b\", \"headers\": []}, \"response\": {\"status\":"
                + " 204, \"headers\": [], \"bodySize\": 0}}");
    List<Exchange> ex = readHar(har, LIMIT, new ArrayList<>());
    assertThat(ex.get(0).response().body()).isEqualTo(Body.notCaptured(5));
    assertThat(ex.get(1).response().body()).isEqualTo(Body.none());
  }

  @Test
  void bodiesOverTheLimitAreCutAndFlaggedWithTheirRealSizeAndOneWarning() throws IOException {
    String text = "0123456789".repeat(20_000);
    Path har =
        har(
            "big.har",
            entry(
                "http://h/a",
                "{\"mimeType\": \"text/plain\", \"text\": \"" + text + "\"}",
                "{\"size\": 0, \"text\": \"" + text + "\"}"),
            entry("http://h/b", null, "{\"size\": 0, \"text\": \"small\"}"));
    List<String> warnings = new ArrayList<>();
    List<Exchange> ex = readHar(har, LIMIT, warnings);
    for (Body cut : List.of(ex.get(0).request().body(), ex.get(0).response().body())) {
      assertThat(cut).isEqualTo(new Body.Text(text.substring(0, (int) LIMIT), true, 200_000));
    }
    assertThat(ex.get(1).response().body()).isEqualTo(Body.text("small"));
    assertThat(warnings)
        .containsExactly(
            har
                + ": 2 bodies longer than 65536 bytes were cut to 65536 bytes "
                + "(flagged truncated, with the real size)");
  }

  @Test
  void aBodyOverTheDefaultLimitImportsToARecordingThatReadsBack() throws IOException {
    int size = 12 << 20;
    Path har =
        har(
            "default.har",
            entry(
                "http://h/a",
                null,
                "{\"size\": " + size + ", \"text\": \"" + "x".repeat(size) + "\"}"));
    Path rec = dir.resolve("default.jsonl.gz");
    ImportResult result = HarImporter.importFile(har, rec, Redaction.defaults());
    assertThat(result.warnings())
        .singleElement()
        .asString()
        .contains("1 body longer than 10485760 bytes was cut");
    RecordingStats stats = RecordingStats.of(rec, w -> {});
    assertThat(stats.exchanges()).isEqualTo(1);
    assertThat(stats.truncatedBodies()).isEqualTo(1);
    Body body = read(rec).get(0).response().body();
    assertThat(body.size()).isEqualTo(size);
    assertThat(body.bytes()).hasSize(10 << 20);
  }

  @Test
  void aLongTextIsCutBeforeItIsParsedAndKeepsItsExactSize() throws IOException {
    // 3 MB of JSON text with escapes and multi-byte characters, over the 1 MiB kept of any string
    String unit = "caf\\u00e9 \\\"ok\\\"\\n日本 😀 ";
    String decodedUnit = "caf\u00e9 \"ok\"\n日本 😀 ";
    int units = 3_000_000 / unit.length();
    Path har =
        har(
            "long.har",
            entry("http://h/a", null, "{\"size\": -1, \"text\": \"" + unit.repeat(units) + "\"}"));
    Body body = readHar(har, LIMIT, new ArrayList<>()).get(0).response().body();
    byte[] whole = decodedUnit.repeat(units).getBytes(StandardCharsets.UTF_8);
    assertThat(body.truncated()).isTrue();
    assertThat(body.size()).isEqualTo(whole.length);
    assertThat(body.bytes()).isEqualTo(Arrays.copyOf(whole, (int) LIMIT));
  }

  @Test
  void aLongBase64BodyIsDecodedFromItsBeginningWhateverTheFieldOrder() throws IOException {
    byte[] data = new byte[3_000_000];
    new Random(5).nextBytes(data);
    String base64 =
        Base64.getMimeEncoder()
            .encodeToString(data)
            .replace("\r\n", "\\r\\n"); // wrapped lines, as some tools write
    Path har =
        har(
            "b64.har",
            entry(
                "http://h/a",
                null,
                "{\"size\": 3000000, \"text\": \"" + base64 + "\", \"encoding\": \"base64\"}"));
    Body body = readHar(har, LIMIT, new ArrayList<>()).get(0).response().body();
    assertThat(body).isInstanceOf(Body.Binary.class);
    assertThat(body.truncated()).isTrue();
    assertThat(body.size()).isEqualTo(3_000_000);
    assertThat(body.bytes()).isEqualTo(Arrays.copyOf(data, (int) LIMIT));
  }

  @Test
  void aStringOutsideBodiesTooLongToKeepIsAnErrorNamingTheField() throws IOException {
    Path har = har("url.har", entry("http://h/" + "a".repeat(1_100_000), null, "{\"size\": 0}"));
    assertThatThrownBy(() -> readHar(har, LIMIT, new ArrayList<>()))
        .isInstanceOf(RecordingException.class)
        .hasMessageMatching(
            "\\Q"
                + har
                + "\\E:1: log\\.entries\\[0\\]\\.request\\.url: a string of 1100009 bytes, "
                + "longer than an import keeps outside bodies");
  }

  @Test
  void anEntryOfTooManyValuesIsRefused() throws IOException {
    String headers = "{\"name\": \"a\", \"value\": \"b\"},".repeat(70_000);
    Path har =
        har(
            "many.har",
            entry("http://h/a", null, "{\"size\": 0}")
                .replace(
                    "\"headers\": []",
                    "\"headers\": [" + headers + "{\"name\": \"a\", \"value\": \"b\"}]"));
    assertThatThrownBy(() -> readHar(har, LIMIT, new ArrayList<>()))
        .hasMessage(har + ":1: log.entries[0]: more than 200000 JSON values in one entry");
  }

  @Test
  void fieldsTheImportDoesNotReadAreSkippedWithoutLimit() throws IOException {
    // Chrome's _initiator stacks and cookies can be large: they are skipped, not parsed
    String huge = "[" + "{\"functionName\": \"f\", \"url\": \"u\"},".repeat(100_000) + "{}]";
    Path har =
        har(
            "chrome.har",
            entry("http://h/a", null, "{\"size\": 0}")
                .replace(
                    "{\"startedDateTime\"",
                    "{\"_initiator\": {\"stack\": " + huge + "}, \"startedDateTime\""));
    assertThat(readHar(har, LIMIT, new ArrayList<>())).hasSize(1);
  }

  @Test
  void aHarThatIsNotUtf8IsAClearError() throws IOException {
    Path har = dir.resolve("utf16.har");
    Files.write(har, "{\"log\": {\"entries\": []}}".getBytes(StandardCharsets.UTF_16));
    assertThatThrownBy(() -> readHar(har))
        .hasMessage(
            har
                + ": not a HAR file: the JSON is not UTF-8 (UTF-16 or UTF-32?); HAR files are UTF-8");
  }

  @Test
  void pseudoHeadersAndUserInfoNeverReachTheRecording() throws IOException {
    Path har = dir.resolve("h2.har");
    Files.writeString(
        har,
        """
        {"log": {"version": "1.2", "creator": {"name": "x", "version": "1"}, "_custom": {"a": 1}, "entries": [
          {"startedDateTime": "2026-11-24T10:00:00Z", "time": 1.5, "_resourceType": "fetch",
           "request": {"method": "GET", "url": "https://user:secret@api.example.test:8443/v1/x#frag", "httpVersion": "h2",
                       "headers": [{"name": ":authority", "value": "api.example.test:8443"}, {"name": ":path", "value": "/v1/x"},
                                   {"name": "accept", "value": "*/*"}],
                       "queryString": [{"name": "a", "value": "b c"}]},
           "response": {"status": 200, "statusText": "", "headers": [], "content": {"size": 5000, "mimeType": "text/html"}}},
          {"startedDateTime": "2026-11-24T10:00:01Z", "time": 0,
           "request": {"method": "GET", "url": "data:image/png;base64,AAAA", "headers": []},
           "response": {"status": 200, "headers": [], "content": {"size": 0}}}
        ]}}
        """);
    List<String> warnings = new ArrayList<>();
    List<Exchange> ex = new ArrayList<>();
    HarImporter.read(har, ex::add, warnings::add);
    assertThat(ex).hasSize(1);
    HttpRequest rq = ex.get(0).request();
    assertThat(rq.target()).isEqualTo("/v1/x?a=b+c");
    assertThat(rq.headers())
        .isEqualTo(Headers.of("Host", "api.example.test:8443", "accept", "*/*"));
    assertThat(ex.get(0).response().body())
        .isEqualTo(Body.notCaptured(5000)); // body not kept by the tool
    assertThat(warnings)
        .singleElement()
        .asString()
        .contains(
            "skipped 1 entry whose URL is data: (not HTTP, nothing to replay); first at log.entries[1]")
        .doesNotContain("base64,AAAA");
  }
}
