package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What real HAR producers write (fixtures in {@code har/producers/}, one per quirk, see its
 * README) becomes exchanges a real server's answers match: field by field here, replayed in
 * replay-runner's {@code HarProducerReplayTests}.
 */
class HarProducerQuirksTests {

  static final String[] FIXTURES = {
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
  };

  @TempDir Path dir;

  Path fixture(String name) throws IOException {
    Path p = dir.resolve(name + ".har");
    try (InputStream in = getClass().getResourceAsStream("/har/producers/" + name + ".har")) {
      Files.copy(in, p);
    }
    // the bodies Playwright keeps beside its HAR (content._file)
    try (Stream<Path> files = Files.list(producers())) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String n = f.getFileName().toString();
        if (!n.endsWith(".har") && !n.endsWith(".md") && !Files.exists(dir.resolve(n))) {
          Files.copy(f, dir.resolve(n));
        }
      }
    }
    return p;
  }

  Path producers() {
    try {
      return Path.of(getClass().getResource("/har/producers").toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  record Imported(List<Exchange> exchanges, List<String> warnings, ImportResult result) {
    Exchange at(String method, String target) {
      return exchanges.stream()
          .filter(e -> e.request().method().equals(method) && e.request().target().equals(target))
          .findFirst()
          .orElseThrow(
              () -> new AssertionError("no " + method + " " + target + " in " + exchanges));
    }
  }

  /** Imported unredacted (the values are asserted), as `shadow import --no-redact` would. */
  Imported importFixture(String name) throws IOException {
    Path har = fixture(name);
    Path rec = dir.resolve(name + ".jsonl");
    ImportResult r =
        HarImporter.importFile(har, rec, ImportOptions.defaults().withRedaction(Redaction.none()));
    List<Exchange> ex = HarImporterTests.read(rec);
    assertThat(ex).hasSize((int) r.exchanges());
    return new Imported(ex, r.warnings(), r);
  }

  @Test
  void playwrightBodiesKeptBesideTheHarAreRead() throws IOException {
    Imported r = importFixture("playwright-attach");
    Exchange json = r.at("GET", "/api/items/1");
    assertThat(json.response().body())
        .isEqualTo(Body.text("{\"id\":1,\"name\":\"Kettle\",\"price\":39.9}"));
    assertThat(json.tags()).containsEntry(HarImporter.TAG_ATTACHED, "response");
    Exchange png = r.at("GET", "/logo.png");
    assertThat(png.response().body().bytes())
        .hasSize(33)
        .startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    // a _file that is not there: not captured, and said once
    assertThat(r.at("GET", "/api/items/2").response().body()).isInstanceOf(Body.NotCaptured.class);
    assertThat(r.warnings())
        .anyMatch(w -> w.contains("1 body is in a _file that is not beside the HAR"));
  }

  @Test
  void aFileNameThatLeavesTheHarsDirectoryIsRefused() throws IOException {
    Path har = fixture("playwright-attach");
    Files.writeString(
        har,
        Files.readString(har)
            .replace("d6c2f448fe3ad501284f342cb5e55e55e526cdf6.json", "../../etc/passwd"));
    Assertions.assertThatThrownBy(
            () ->
                HarImporter.importFile(
                    har,
                    dir.resolve("x.jsonl"),
                    ImportOptions.defaults().withRedaction(Redaction.none())))
        .isInstanceOf(RecordingException.class)
        .hasMessageContaining("response.content._file: expected the name of a file beside the HAR");
  }

  @Test
  void aLongTextInAnotherCharsetCutAtTheBodyLimitStaysCut() throws IOException {
    String big = "é".repeat(500_000);
    Path har = dir.resolve("big-latin.har");
    Files.writeString(
        har,
        HarImporterTests.entry("GET", "http://h.test/big")
            .replace("\"text/plain\"", "\"text/plain; charset=ISO-8859-1\"")
            .replace("\"size\":2", "\"size\":500000")
            .replace("\"text\":\"ok\"", "\"text\":\"" + big + "\"")
            .transform(e -> "{\"log\":{\"version\":\"1.2\",\"entries\":[" + e + "]}}"),
        StandardCharsets.UTF_8);
    Path rec = dir.resolve("big-latin.jsonl");
    ImportResult r =
        HarImporter.importFile(
            har,
            rec,
            ImportOptions.defaults().withRedaction(Redaction.none()).withMaxBody(100_000));
    Body body = HarImporterTests.read(rec).get(0).response().body();
    assertThat(body.truncated()).isTrue();
    assertThat(body.size()).isEqualTo(500_000); // the server's bytes, one a character
    assertThat(body.bytes()).hasSize(100_000).containsOnly((byte) 0xE9);
    assertThat(r.warnings()).anyMatch(w -> w.contains("cut to 100000 bytes"));
  }

  @Test
  void aLinkBesideTheHarLeadingOutOfItsDirectoryIsRefused() throws IOException {
    Path har = fixture("playwright-attach");
    Path secret = Files.createDirectories(dir.resolve("elsewhere")).resolve("credentials");
    Files.writeString(secret, "aws_secret_access_key=FAKE");
    Path link = dir.resolve("d6c2f448fe3ad501284f342cb5e55e55e526cdf6.json");
    Files.delete(link);
    Files.createSymbolicLink(link, secret);
    Assertions.assertThatThrownBy(
            () ->
                HarImporter.importFile(
                    har,
                    dir.resolve("y.jsonl"),
                    ImportOptions.defaults().withRedaction(Redaction.none())))
        .isInstanceOf(RecordingException.class)
        .hasMessageContaining("leads out of the HAR's directory (a link?): refused");
  }

  @Test
  void textInAnotherCharsetIsWrittenBackInItsBytes() throws IOException {
    Imported r = importFixture("chrome-latin1-charset");
    java.nio.charset.Charset latin1 = StandardCharsets.ISO_8859_1;
    Exchange latin = r.at("GET", "/latin");
    assertThat(latin.response().body().bytes()).isEqualTo("café ü".getBytes(latin1));
    assertThat(latin.tags())
        .containsEntry(HarImporter.TAG_CHARSET, "response=ISO-8859-1")
        .doesNotContainKey(HarImporter.TAG_RESPONSE_SIZE); // 6 bytes, as declared
    assertThat(r.at("GET", "/legacy.json").response().body().bytes())
        .isEqualTo("{\"name\":\"José\"}".getBytes(latin1));
    assertThat(r.at("GET", "/euro").response().body().bytes())
        .isEqualTo("<p>10 €</p>".getBytes(java.nio.charset.Charset.forName("windows-1252")));
    Exchange form = r.at("POST", "/form");
    assertThat(form.request().body().bytes()).isEqualTo("name=José".getBytes(latin1));
    assertThat(form.tags()).containsEntry(HarImporter.TAG_CHARSET, "request=ISO-8859-1");
    // decoded text of a br answer: the coding is gone, whatever the charset
    Exchange br = r.at("GET", "/br");
    assertThat(br.response().body().bytes()).isEqualTo("<p>résumé</p>".getBytes(latin1));
    assertThat(br.response().headers().contains("Content-Encoding")).isFalse();
    // kept as UTF-8: UTF-8 declared, a charset this JVM does not know, text the charset lacks
    assertThat(r.at("GET", "/utf8").response().body().bytes())
        .isEqualTo("café".getBytes(StandardCharsets.UTF_8));
    assertThat(r.at("GET", "/unknown").response().body().bytes())
        .isEqualTo("café".getBytes(StandardCharsets.UTF_8));
    Exchange notLatin = r.at("GET", "/notlatin");
    assertThat(notLatin.response().body().bytes()).isEqualTo("日本".getBytes(StandardCharsets.UTF_8));
    assertThat(notLatin.tags()).doesNotContainKey(HarImporter.TAG_CHARSET);
  }

  @Test
  void a304WithTheCachedResourceInItsTextHasNoBodyAndATag() throws IOException {
    Imported i = importFixture("chrome-304-with-body");
    Exchange notModified = i.exchanges().get(1);
    assertThat(notModified.response().status()).isEqualTo(304);
    assertThat(notModified.response().body()).isEqualTo(Body.none());
    assertThat(notModified.tags()).containsExactly(Map.entry("import.bodyDropped", "169"));
    assertThat(notModified.request().headers().first("If-None-Match")).isPresent();
    Exchange ok = i.exchanges().get(0);
    assertThat(ok.response().body().bytes())
        .hasSize(169); // the resource the 304 showed, served whole by the 200
    assertThat(ok.tags()).isEmpty();
  }

  @Test
  void a204AndAHeadResponseHaveNoBodyEither() throws IOException {
    Imported i = importFixture("firefox-304-204-head");
    assertThat(i.at("GET", "/assets/site.css").response().body()).isEqualTo(Body.none());
    assertThat(i.at("GET", "/assets/site.css").tags()).containsEntry("import.bodyDropped", "316");
    Exchange deleted = i.at("DELETE", "/v1/cart/items/77");
    assertThat(deleted.response().status()).isEqualTo(204);
    assertThat(deleted.response().body()).isEqualTo(Body.none());
    assertThat(deleted.tags()).containsEntry("import.bodyDropped", "53");
    Exchange head = i.at("HEAD", "/products/1042");
    assertThat(head.response().body()).isEqualTo(Body.none());
    assertThat(head.tags()).containsEntry("import.bodyDropped", "1318");
    assertThat(head.response().headers().first("Content-Length"))
        .contains("1318"); // HEAD keeps the GET's length
    assertThat(i.at("GET", "/v1/cart").tags()).isEmpty();
  }

  @Test
  void headerLinesJoinedWithNewlinesBecomeOneFieldEach() throws IOException {
    Imported i = importFixture("chrome-har-joined-headers");
    Exchange home = i.at("GET", "/");
    assertThat(home.response().headers().all("Set-Cookie"))
        .hasSize(3)
        .allSatisfy(
            v -> {
              assertThat(v).doesNotContain("\n").doesNotContain("\r").isNotBlank();
            });
    assertThat(home.tags()).containsEntry("import.headersSplit", "Set-Cookie");
    Exchange recommendations = i.at("GET", "/v1/recommendations?for=1042");
    assertThat(recommendations.response().headers().all("vary"))
        .containsExactly("Accept-Encoding", "Origin");
    assertThat(recommendations.tags()).containsEntry("import.headersSplit", "set-cookie, vary");
    for (Exchange e : i.exchanges()) {
      for (Headers.Field f : e.response().headers()) {
        assertThat(Headers.hasLineBreak(f.value())).as(f.name()).isFalse();
      }
    }
  }

  @Test
  void aZapFormWithEmptyTextIsRebuiltFromItsParamsToTheDeclaredLength() throws IOException {
    Imported i = importFixture("zap-form-post");
    Exchange login = i.at("POST", "/login");
    String body = ((Body.Text) login.request().body()).text();
    assertThat(body).startsWith("username=j.doe%40example.test&password=FAKE+pass%26word%3D1");
    assertThat(login.request().body().truncated()).isFalse();
    assertThat(login.request().body().size())
        .isEqualTo(Long.parseLong(login.request().headers().first("Content-Length").orElseThrow()));
    assertThat(login.tags())
        .containsExactly(Map.entry("import.bodyRebuilt", "params, spaces as +"));
    // ZAP writes an empty postData on every request: a GET has no body, not an empty one
    assertThat(i.at("GET", "/login").request().body()).isEqualTo(Body.none());
  }

  @Test
  void aCompressedLengthInContentSizeIsATagAndTheDecodedBodyLosesItsEncodingHeaders()
      throws IOException {
    Imported i = importFixture("mitmproxy-compressed-size");
    Exchange products = i.at("GET", "/v1/products?category=mugs&page=1");
    Body body = products.response().body();
    assertThat(body.truncated()).isFalse();
    assertThat(products.tags())
        .containsEntry("import.responseSize", "404")
        .containsEntry("import.contentEncoding", "gzip")
        .containsEntry("import.contentLength", "404");
    assertThat(products.response().headers().contains("Content-Encoding")).isFalse();
    assertThat(products.response().headers().first("Content-Length"))
        .contains(Long.toString(body.size()));
    assertThat(Syntax.jsonEndsEarly(body.bytes())).isFalse();
  }

  @Test
  void aSizeLargerThanACompleteBodyIsATagWhileJsonCutMidStringIsTruncated() throws IOException {
    Imported i = importFixture("fiddler-size-exceeds");
    Exchange store = i.at("GET", "/v1/stores/nl");
    assertThat(store.response().body().truncated()).isFalse();
    assertThat(store.response().body().size()).isEqualTo(200);
    assertThat(store.tags()).containsExactly(Map.entry("import.responseSize", "231"));
    Exchange cut = i.at("GET", "/v1/products?page=1&per_page=500");
    assertThat(cut.response().body().truncated()).isTrue();
    assertThat(cut.response().body().size()).isEqualTo(48_213);
    assertThat(((Body.Text) cut.response().body()).text()).endsWith("\"name\":\"Wid");
    assertThat(cut.tags()).isEmpty();
  }

  @Test
  void nonHttpEntriesAreSkippedBeforeValidationAndCountedByScheme() throws IOException {
    Imported i = importFixture("chrome-non-http-entries");
    assertThat(i.exchanges())
        .extracting(e -> e.request().target())
        .containsExactly("/products/1042", "/v1/cart");
    assertThat(i.result().skipped())
        .containsExactly(
            Map.entry("non-HTTP URL (data:)", 1L),
            Map.entry("non-HTTP URL (blob:)", 1L),
            Map.entry("non-HTTP URL (chrome-extension:)", 1L),
            Map.entry("non-HTTP URL (about:)", 1L));
    assertThat(i.warnings())
        .hasSize(4)
        .allSatisfy(
            w ->
                assertThat(w)
                    .contains("skipped 1 entry whose URL is")
                    .doesNotContain("base64,")
                    .doesNotContain("/script.js"));
  }

  @Test
  void jsonSentAsParamsIsNotCapturedAndAPercentEncodedFormKeepsItsEncoding() throws IOException {
    Imported i = importFixture("params-json-and-encoding");
    Exchange order = i.at("POST", "/v1/orders");
    assertThat(order.request().body()).isEqualTo(Body.notCaptured(142)); // never "0=&1="
    assertThat(order.tags())
        .containsEntry("import.paramsNotRebuilt", "application/json")
        .containsEntry("import.bodyNotCaptured", "request");
    Exchange subscribe = i.at("POST", "/v1/newsletter/subscribe");
    String form = ((Body.Text) subscribe.request().body()).text();
    assertThat(form).contains("%20").doesNotContain("+");
    assertThat(subscribe.request().body().size()).isEqualTo(89);
    assertThat(subscribe.request().body().truncated()).isFalse();
    assertThat(subscribe.tags())
        .containsExactly(Map.entry("import.bodyRebuilt", "params, spaces as %20"));
  }

  @Test
  void webSocketEntriesAreSkippedWithTheirMessagesCountedAndNoQueryStringPrinted()
      throws IOException {
    Imported i = importFixture("chrome-websocket");
    assertThat(i.exchanges())
        .extracting(e -> e.request().target())
        .containsExactly("/live", "/v1/orders?status=open");
    assertThat(i.result().skipped()).containsExactly(Map.entry("WebSocket", 2L));
    assertThat(i.warnings())
        .singleElement()
        .asString()
        .contains("skipped 2 entries of WebSocket connections (6 message(s) not imported")
        .doesNotContain("token")
        .doesNotContain("wss://");
  }

  @Test
  void bodiesTheBrowserDecodedDropContentEncodingAndFixContentLength() throws IOException {
    Imported i = importFixture("chrome-brotli-gzip");
    Exchange page = i.at("GET", "/products/1042?variant=blue");
    assertThat(page.response().headers().contains("content-encoding")).isFalse();
    assertThat(page.response().headers().first("content-length"))
        .contains(Long.toString(page.response().body().size()));
    assertThat(page.tags())
        .containsExactly(
            Map.entry("import.contentEncoding", "br"), Map.entry("import.contentLength", "588"));
    Exchange reviews = i.at("GET", "/api/reviews?product=1042");
    assertThat(reviews.tags())
        .containsEntry("import.contentEncoding", "gzip")
        .containsEntry("import.contentLength", "311");
    assertThat(reviews.response().headers().first("Content-Length")).contains("560");
  }

  @Test
  void aBodyThatStillIsGzipKeepsItsHeaders() throws IOException {
    Path har = dir.resolve("raw.har");
    byte[] gz = gzip("{\"a\":1}");
    Files.writeString(
        har,
        """
        {"log": {"entries": [{"startedDateTime": "2026-11-24T10:00:00Z", "time": 1,
          "request": {"method": "GET", "url": "http://h/a", "headers": []},
          "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/json"},
              {"name": "Content-Encoding", "value": "gzip"}, {"name": "Content-Length", "value": "%d"}],
            "content": {"size": %d, "mimeType": "application/json", "encoding": "base64", "text": "%s"}}}]}}
        """
            .formatted(gz.length, gz.length, Base64.getEncoder().encodeToString(gz)));
    List<Exchange> ex = new ArrayList<>();
    HarImporter.read(har, ex::add, w -> {});
    assertThat(ex.get(0).response().headers().first("Content-Encoding")).contains("gzip");
    assertThat(ex.get(0).response().body().bytes()).isEqualTo(gz);
    assertThat(ex.get(0).tags()).isEmpty();
  }

  @Test
  void entriesFromTheBrowserCacheAreTagged() throws IOException {
    Imported i = importFixture("chrome-from-cache");
    assertThat(i.at("GET", "/assets/app.js").tags()).containsEntry("import.fromCache", "disk");
    assertThat(i.at("GET", "/assets/logo.svg").tags()).containsEntry("import.fromCache", "memory");
    assertThat(i.at("GET", "/v1/products/1042").tags())
        .containsEntry("import.fromCache", "transferSize 0");
    assertThat(i.at("GET", "/v1/cart").tags()).doesNotContainKey("import.fromCache");
  }

  @Test
  void bodiesTheProducerLeftOutAreNotCapturedNeverTruncated() throws IOException {
    Imported i = importFixture("webpagetest-no-bodies");
    assertThat(i.at("GET", "/").response().body()).isEqualTo(Body.notCaptured(1180));
    assertThat(i.at("GET", "/").tags()).containsEntry("import.bodyNotCaptured", "response");
    assertThat(i.at("POST", "/v1/events").request().body()).isEqualTo(Body.notCaptured(96));
    Exchange both = i.at("POST", "/v1/cart/items");
    assertThat(both.request().body()).isEqualTo(Body.notCaptured(29));
    assertThat(both.response().body()).isEqualTo(Body.notCaptured(66));
    assertThat(both.tags()).containsEntry("import.bodyNotCaptured", "request, response");
    assertThat(i.at("GET", "/v1/config").response().body()).isInstanceOf(Body.Text.class);
    // WebPageTest writes "1.1": a known version, not junk
    assertThat(i.exchanges())
        .allSatisfy(e -> assertThat(e.request().httpVersion()).isEqualTo("HTTP/1.1"));
    assertThat(i.exchanges())
        .allSatisfy(e -> assertThat(e.tags()).doesNotContainKey("import.httpVersion"));
  }

  @Test
  void junkHttpVersionsAreNormalisedAndTaggedMissingTimesStayUnknown() throws IOException {
    Imported i = importFixture("junk-versions-and-times");
    Exchange ori = i.at("GET", "/v1/config");
    assertThat(ori.request().httpVersion()).isEqualTo("HTTP/1.1");
    assertThat(ori.tags()).containsExactly(Map.entry("import.httpVersion", "ori"));
    assertThat(i.at("GET", "/assets/app.js").tags())
        .containsExactly(Map.entry("import.httpVersion", "unknown"));
    assertThat(i.at("GET", "/v1/categories").request().httpVersion()).isEqualTo("HTTP/2");
    assertThat(i.at("GET", "/v1/cart").request().httpVersion()).isEqualTo("HTTP/2");
    assertThat(i.warnings())
        .singleElement()
        .asString()
        .endsWith(
            ": 2 entries had an httpVersion that is no HTTP version"
                + " (\"ori\", \"unknown\"): imported as HTTP/1.1, the original kept in tag import.httpVersion");
    assertThat(i.exchanges()).anySatisfy(e -> assertThat(e.startedAt()).isNull());
    assertThat(i.exchanges()).anySatisfy(e -> assertThat(e.durationMicros()).isNull());
  }

  @Test
  void aHarMixingEveryQuirkIsCountedByReasonAndDecision() throws IOException {
    Imported i = importFixture("mixed-quirks");
    ImportResult r = i.result();
    assertThat(r.exchanges()).isEqualTo(18);
    assertThat(r.skippedTotal()).isEqualTo(4);
    assertThat(r.skipped())
        .containsExactly(
            Map.entry("non-HTTP URL (data:)", 1L),
            Map.entry("non-HTTP URL (blob:)", 1L),
            Map.entry("non-HTTP URL (about:)", 1L),
            Map.entry("WebSocket", 1L));
    assertThat(r.adjustedExchanges()).isEqualTo(14);
    Map<String, Long> expected = new LinkedHashMap<>();
    expected.put("import.bodyDropped", 3L);
    expected.put("import.headersSplit", 1L);
    expected.put("import.bodyRebuilt", 2L);
    expected.put("import.responseSize", 1L);
    expected.put("import.paramsNotRebuilt", 1L);
    expected.put("import.bodyNotCaptured", 2L);
    expected.put("import.contentEncoding", 3L);
    expected.put("import.contentLength", 3L);
    expected.put("import.fromCache", 2L);
    expected.put("import.httpVersion", 1L);
    assertThat(r.adjusted()).containsExactlyEntriesOf(expected);
    assertThat(r.warnings()).hasSize(5); // one per skip reason, one for the junk httpVersion
    assertThat(i.at("GET", "/v1/products?page=1&per_page=500").response().body().truncated())
        .isTrue();
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void harToRecordingToHarToRecordingIsIdentical(String name) throws IOException {
    Path har = fixture(name);
    Path rec1 = dir.resolve("1.jsonl");
    Path har2 = dir.resolve("2.har");
    Path rec2 = dir.resolve("2.jsonl");
    HarImporter.importFile(har, rec1, Redaction.none());
    HarExporter.exportFile(rec1, har2);
    ImportResult second = HarImporter.importFile(har2, rec2, Redaction.none());
    List<Exchange> once = HarImporterTests.read(rec1);
    assertThat(once).isNotEmpty();
    assertThat(HarImporterTests.read(rec2)).containsExactlyElementsOf(once);
    assertThat(second.skipped()).isEmpty();
    // the exported HAR is valid HAR: every entry has a start and a non-negative time
    String exported = Files.readString(har2);
    assertThat(exported).doesNotContain("\"time\" : -");
    assertThat(exported.split("\"startedDateTime\"", -1).length - 1).isEqualTo(once.size());
  }

  @Test
  void onlyJsonOrXmlThatStopsAtItsVeryEndCountsAsCut() {
    byte[] cut = "{\"items\":[{\"id\":1,\"name\":\"Wid".getBytes(StandardCharsets.UTF_8);
    assertThat(Syntax.endsEarly(cut, "application/json; charset=utf-8")).isTrue();
    assertThat(Syntax.endsEarly("[1,2".getBytes(), "application/problem+json")).isTrue();
    assertThat(Syntax.endsEarly("{\"a\":1}".getBytes(), "application/json")).isFalse();
    assertThat(Syntax.endsEarly("{\"a\":tr".getBytes(), "application/json"))
        .isTrue(); // cut inside a literal
    assertThat(Syntax.endsEarly(("[".repeat(100) + "1").getBytes(), "application/json"))
        .isTrue(); // deeper than recordings nest
    assertThat(
            Syntax.endsEarly(
                "<a><b>Grüße aus Köln, schöne Grüße".getBytes(StandardCharsets.UTF_8),
                "application/xml"))
        .isTrue(); // offsets count characters, not bytes
    assertThat(Syntax.endsEarly("<a><b>x</a>".getBytes(), "application/xml"))
        .isFalse(); // broken, not cut
    assertThat(Syntax.endsEarly("{\"a\":tru}".getBytes(), "application/json"))
        .isFalse(); // broken inside: a real body
    assertThat(Syntax.endsEarly("<a><b>1</b><c>".getBytes(), "application/xml")).isTrue();
    assertThat(Syntax.endsEarly("<a><b>1</b></a>\n".getBytes(), "text/xml")).isFalse();
    assertThat(Syntax.endsEarly("<a><b>1</c></a>".getBytes(), "text/xml")).isFalse();
    assertThat(
            Syntax.endsEarly(
                "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>".getBytes(),
                "application/xml"))
        .isFalse(); // no DTD, no external entity: refused, not read
    assertThat(Syntax.endsEarly("{\"a\":".getBytes(), "text/plain"))
        .isFalse(); // only JSON and XML are judged
  }

  @Test
  void aRecordingWrittenBeforeTheLineBreakRuleReadsOneFieldPerLine() throws IOException {
    // an older import kept chrome-har's joined Set-Cookie as it was: such lines still read, split
    Path rec = dir.resolve("old.jsonl");
    Files.writeString(
        rec,
        """
        {"format":"shadow-recording","version":1,"createdAt":"2026-11-24T10:00:00Z","source":"import:har"}
        {"id":"a","request":{"method":"GET","target":"/","headers":[["Host","h"]]},"response":{"status":200,"headers":[["Set-Cookie","a=1\\nb=2\\r\\n c"],["X","y"]]}}
        """);
    try (RecordingReader r = RecordingReader.open(rec)) {
      Exchange e = r.next();
      assertThat(e.response().headers())
          .isEqualTo(Headers.of("Set-Cookie", "a=1", "Set-Cookie", "b=2 c", "X", "y"));
      assertThat(r.unreadable()).isZero();
    }
  }

  @Test
  void aWriterGivenAFieldWithLineBreaksWritesOneFieldPerLineInsteadOfRefusing() {
    Path rec = dir.resolve("w.jsonl");
    Exchange e =
        Exchange.of(
            "a",
            new HttpRequest("GET", "/", null, Headers.of("Host", "h", "X-A", "a\rb"), Body.none()),
            new HttpResponse(200, "OK", Headers.of("Set-Cookie", "a=1\nb=2"), Body.none()));
    try (RecordingWriter w =
        RecordingWriter.create(rec, RecordingHeader.now("t", Redaction.none()))) {
      w.write(e);
    }
    Exchange back = HarImporterTests.read(rec).get(0);
    assertThat(back.request().headers().all("X-A")).containsExactly("a", "b");
    assertThat(back.response().headers().all("Set-Cookie")).containsExactly("a=1", "b=2");
  }

  @Test
  void aGoReplayHeaderWithABareCarriageReturnImportsWithASpace() throws IOException {
    String sep = "\n\uD83D\uDC35\uD83D\uDE48\uD83D\uDE49\n";
    Path gor = dir.resolve("cr.gor");
    Files.writeString(
        gor,
        "1 a1 1764064800000000000 0\nGET /x HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n"
            + sep
            + "2 a1 1764064800001000000 1000\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
            + sep);
    Path rec = dir.resolve("cr.jsonl");
    ImportResult r = GorImporter.importFile(gor, rec, ImportOptions.defaults());
    assertThat(r.exchanges()).isEqualTo(1);
    assertThat(HarImporterTests.read(rec).get(0).request().headers().first("X-A")).contains("a b");
  }

  @Test
  void anEntryExportedByAnOlderShadowKeepsItsCutBodies() throws IOException {
    // before the _shadow truncation flags, a size larger than the text was the only mark of a cut
    Path har = dir.resolve("old-export.har");
    Files.writeString(
        har,
        """
        {"log": {"entries": [{"startedDateTime": "2026-11-24T10:00:00Z", "time": 1,
          "request": {"method": "POST", "url": "http://h/a", "headers": [], "bodySize": 10,
                      "postData": {"mimeType": "text/plain", "text": "abc"}},
          "response": {"status": 200, "headers": [], "content": {"size": 50, "mimeType": "text/plain", "text": ""}},
          "_shadow": {"id": "x1", "target": "/a"}}]}}
        """);
    List<Exchange> ex = new ArrayList<>();
    HarImporter.read(har, ex::add, w -> {});
    assertThat(ex.get(0).request().body()).isEqualTo(new Body.Text("abc", true, 10));
    assertThat(ex.get(0).response().body()).isEqualTo(new Body.Text("", true, 50));
  }

  @Test
  void aLongDataUrlIsSkippedNeverRefused() throws IOException {
    Path har = dir.resolve("long-data.har");
    Files.writeString(
        har,
        """
        {"log": {"entries": [
          {"request": {"method": "GET", "url": "data:image/png;base64,%s", "headers": []},
           "response": {"status": 200, "headers": [], "content": {"size": 0}}},
          {"request": {"method": "GET", "url": "http://h/ok", "headers": []},
           "response": {"status": 200, "headers": [], "content": {"size": 2, "text": "ok"}}}]}}
        """
            .formatted("A".repeat(1_200_000)));
    Path rec = dir.resolve("long-data.jsonl");
    ImportResult r =
        HarImporter.importFile(har, rec, ImportOptions.defaults().withMaxBody(64 << 10));
    assertThat(r.exchanges()).isEqualTo(1);
    assertThat(r.skipped()).containsExactly(Map.entry("non-HTTP URL (data:)", 1L));
  }

  @Test
  void aBodyLeftOutBehindACodingOrChunkingIsNotCapturedNotAbsent() throws IOException {
    Path har = dir.resolve("left-out.har");
    Files.writeString(
        har,
        """
        {"log": {"entries": [
          {"request": {"method": "GET", "url": "http://h/gz", "headers": []},
           "response": {"status": 200, "headers": [{"name": "Content-Encoding", "value": "gzip"},
             {"name": "Content-Length", "value": "50"}], "content": {"size": 0, "mimeType": "application/json"}}},
          {"request": {"method": "GET", "url": "http://h/chunked", "headers": []},
           "response": {"status": 200, "headers": [{"name": "Transfer-Encoding", "value": "chunked"}],
             "content": {"size": -1, "mimeType": "application/json"}}},
          {"request": {"method": "GET", "url": "http://h/redirect", "headers": []},
           "response": {"status": 302, "headers": [{"name": "Location", "value": "/x"}, {"name": "Content-Length", "value": "0"}],
             "content": {"size": 0, "mimeType": "x-unknown"}}}]}}
        """);
    List<Exchange> ex = new ArrayList<>();
    HarImporter.read(har, ex::add, w -> {});
    assertThat(ex.get(0).response().body()).isEqualTo(Body.notCaptured(-1));
    assertThat(ex.get(1).response().body()).isEqualTo(Body.notCaptured(-1));
    assertThat(ex.get(2).response().body()).isEqualTo(Body.none()); // nothing says there was one
  }

  @Test
  void decodedTextUnderACodingIsNeverMistakenForCompressedBytes() throws IOException {
    Path har = dir.resolve("codings.har");
    Files.writeString(
        har,
        """
        {"log": {"entries": [
          {"request": {"method": "GET", "url": "http://h/deflate", "headers": []},
           "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "text/plain"},
             {"name": "Content-Encoding", "value": "deflate"}], "content": {"size": 9, "text": "x^2 + y^2"}}},
          {"request": {"method": "GET", "url": "http://h/br-raw", "headers": []},
           "response": {"status": 200, "headers": [{"name": "Content-Encoding", "value": "br"}],
             "content": {"size": 4, "encoding": "base64", "text": "iwCA/w=="}}},
          {"request": {"method": "GET", "url": "http://h/png", "headers": []},
           "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "image/png"},
             {"name": "Content-Encoding", "value": "br"}], "content": {"size": 4, "encoding": "base64", "text": "iVBORw=="}}}]}}
        """);
    List<Exchange> ex = new ArrayList<>();
    HarImporter.read(har, ex::add, w -> {});
    assertThat(ex.get(0).response().headers().contains("Content-Encoding"))
        .isFalse(); // "x^" is no zlib header here
    assertThat(ex.get(1).response().headers().first("Content-Encoding"))
        .contains("br"); // raw bytes, no type: still br
    assertThat(ex.get(2).response().headers().contains("Content-Encoding"))
        .isFalse(); // an image shown decoded
    assertThat(ex.get(2).tags()).containsEntry("import.contentEncoding", "br");
  }

  @Test
  void fromCacheFalseIsNoCacheAndA101ToAnotherProtocolIsNoWebSocket() throws IOException {
    Path har = dir.resolve("flags.har");
    Files.writeString(
        har,
        """
        {"log": {"entries": [
          {"_fromCache": false, "request": {"method": "GET", "url": "http://h/a", "headers": []},
           "response": {"status": 200, "headers": [], "content": {"size": 2, "text": "ok"}}},
          {"request": {"method": "GET", "url": "http://h/up", "headers": []},
           "response": {"status": 101, "headers": [{"name": "Upgrade", "value": "h2c"}], "content": {"size": 0}}},
          {"request": {"method": "GET", "url": "http://h\\nx/a", "headers": []},
           "response": {"status": 200, "headers": [], "content": {"size": 0}}}]}}
        """);
    List<Exchange> ex = new ArrayList<>();
    Imports.Skips skips = new Imports.Skips();
    assertThat(
            Assertions.catchThrowable(
                () -> HarImporter.read(har, 1 << 20, ex::add, w -> {}, skips)))
        .isInstanceOf(RecordingException.class)
        .hasMessageContaining("log.entries[2].request.url: has no host, or a line break");
    assertThat(ex.get(0).tags()).doesNotContainKey("import.fromCache");
    assertThat(skips.counts()).containsExactly(Map.entry("protocol upgrade (101)", 1L));
  }

  static Stream<String> fixtures() {
    return Stream.of(FIXTURES);
  }

  @Test
  void everyFixtureInTheDirectoryIsRoundTripped() throws Exception {
    Path producers = producers();
    try (Stream<Path> files = Files.list(producers)) {
      assertThat(
              files
                  .map(p -> p.getFileName().toString())
                  .filter(n -> n.endsWith(".har"))
                  .map(n -> n.replace(".har", "")))
          .containsExactlyInAnyOrder(FIXTURES);
    }
  }

  static byte[] gzip(String s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(out)) {
      g.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }
}
