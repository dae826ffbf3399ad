package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.diff.run.ResponsesFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stored form of a pair (what a run keeps for re-judging) is judged exactly as the pair
 * itself, under the rules of the case: the places a second read of the change found where it was
 * not.
 */
class StoredFormTests {

  @TempDir Path dir;

  static HttpResponse json(String body, String... headers) {
    return new HttpResponse(
        200, "OK", Headers.of(headers).with("Content-Type", "application/json"), Body.text(body));
  }

  /** (path, field, type) of each difference: what the summary counts. */
  static List<String> shape(ResponseDiff d) {
    return d.differences().stream()
        .map(x -> x.path() + " " + x.field() + " " + x.type() + " " + x.isAccepted())
        .sorted()
        .toList();
  }

  static void judgedAlike(String rulesYaml, HttpResponse e, HttpResponse a) {
    Rules rules = Rules.parse(rulesYaml, "rules");
    DiffEngine engine = DiffEngine.of(rules);
    EndpointRule rule = rules.ruleFor("GET", "/x");
    List<String> fresh = shape(engine.compare(e, Origin.NONE, a, Origin.NONE, rule));
    for (int key = 0; key < 20; key++) { // pseudonyms differ by key: no key may change a verdict
      StoredPair s = engine.store(e, Origin.NONE, a, Origin.NONE, rule, Pseudonyms.random());
      assertThat(shape(engine.compare(s, rule))).as("key %d", key).isEqualTo(fresh);
    }
  }

  static HttpResponse bytes(String type, byte[] body) {
    return new HttpResponse(200, "OK", Headers.of("Content-Type", type), Body.of(body));
  }

  @Test
  void textIsStoredWordByWordWhereItChangedAndJudgedAlikeUnderEveryOption() {
    String lenient =
        "version: 1\ndefaults:\n  comparators:\n    text: {ignoreTrailingWhitespace: true}\n";
    String[][] pairs = {
      {"a b\u3000\nz", "a b\nz"},
      {"a b\f\nz", "a b\nz"},
      {"head\n<p>price 10 EUR</p>  \nfoot", "head\n<p>price 12 EUR</p>\nfoot"},
      {"x\n<input value=\"k1\">\ny\n", "x\n<input value=\"k2\"> \ny\n"},
      {"same\nsame\r\nend", "same\nsame\nend"},
      {"one line", "one line\u3000"},
      // lines equal only without their trailing white space: aligned otherwise by the option
      {"x y \nx y", "x y\nx y\nx y"},
      {"  },\n  },\nend", "  }, \n  },\n  },\nend"},
    };
    for (String[] pair : pairs) {
      HttpResponse e =
          bytes("text/plain", pair[0].getBytes(java.nio.charset.StandardCharsets.UTF_8));
      HttpResponse a =
          bytes("text/plain", pair[1].getBytes(java.nio.charset.StandardCharsets.UTF_8));
      judgedAlike("version: 1\n", e, a);
      judgedAlike(lenient, e, a);
    }
  }

  @Test
  void theSameTextInTwoCharsetsIsEqualAndAChangeInItIsSeen() {
    java.nio.charset.Charset latin1 = java.nio.charset.StandardCharsets.ISO_8859_1;
    java.nio.charset.Charset utf8 = java.nio.charset.StandardCharsets.UTF_8;
    HttpResponse legacyJson =
        bytes("application/json; charset=ISO-8859-1", "{\"a\":\"José\"}".getBytes(latin1));
    HttpResponse newJson =
        bytes("application/json; charset=utf-8", "{\"a\":\"José\"}".getBytes(utf8));
    ResponseDiff d =
        DiffEngine.of(Rules.defaults()).compare(legacyJson, newJson, EndpointRule.builtIn());
    // the Content-Type says what changed; the body is the same text
    assertThat(d.differences()).extracting(Difference::path).containsExactly("header:Content-Type");
    assertThat(d.notes())
        .contains(
            "bodies read in their declared charsets (expected ISO-8859-1, actual UTF-8) and"
                + " compared as text");
    ResponseDiff changed =
        DiffEngine.of(Rules.defaults())
            .compare(
                legacyJson,
                bytes("application/json; charset=utf-8", "{\"a\":\"Josè\"}".getBytes(utf8)),
                EndpointRule.builtIn());
    assertThat(changed.differences())
        .extracting(Difference::path, Difference::expected, Difference::actual)
        .contains(org.assertj.core.groups.Tuple.tuple("$.a", "\"José\"", "\"Josè\""));
    HttpResponse legacyText =
        bytes(
            "text/html; charset=windows-1252",
            "<p>10 €</p>".getBytes(java.nio.charset.Charset.forName("windows-1252")));
    HttpResponse newText = bytes("text/html; charset=UTF-8", "<p>10 €</p>".getBytes(utf8));
    assertThat(
            DiffEngine.of(Rules.defaults())
                .compare(legacyText, newText, EndpointRule.builtIn())
                .differences())
        .extracting(Difference::path)
        .containsExactly("header:Content-Type");
    // kept for re-judging, judged alike
    judgedAlike("version: 1\n", legacyJson, newJson);
    judgedAlike(
        "version: 1\n",
        legacyJson,
        bytes("application/json; charset=utf-8", "{\"a\":\"Josè\"}".getBytes(utf8)));
    judgedAlike("version: 1\n", legacyText, newText);
    // the same bytes in two charsets are two texts: the body differs, stored or not
    byte[] cafe = "café ok".getBytes(utf8);
    HttpResponse asLatin1 = bytes("text/plain; charset=ISO-8859-1", cafe);
    HttpResponse asUtf8 = bytes("text/plain; charset=UTF-8", cafe);
    assertThat(
            DiffEngine.of(Rules.defaults())
                .compare(asLatin1, asUtf8, EndpointRule.builtIn())
                .differences())
        .extracting(Difference::path)
        .contains("header:Content-Type", "body:line 1 token 1");
    judgedAlike("version: 1\n", asLatin1, asUtf8);
    // an XML body that declares its encoding is read by its declaration
    HttpResponse legacyXml =
        bytes(
            "application/xml; charset=ISO-8859-1",
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>José</a>".getBytes(latin1));
    HttpResponse newXml =
        bytes(
            "application/xml; charset=UTF-8",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>José</a>".getBytes(utf8));
    assertThat(
            DiffEngine.of(Rules.defaults())
                .compare(legacyXml, newXml, EndpointRule.builtIn())
                .differences())
        .extracting(Difference::path)
        .containsExactly("header:Content-Type");
    judgedAlike("version: 1\n", legacyXml, newXml);
  }

  @Test
  void leftoverElementsOfUnorderedArraysPairAlike() {
    judgedAlike(
        "version: 1\ndefaults:\n  unorderedArrays: [\"$.a\"]\n"
            + "  accepted:\n    - {path: \"$.a[*].n\", reason: renamed}\n",
        json("{\"a\":[{\"n\":\"alice\",\"r\":\"admin\"},{\"n\":\"bob\",\"r\":\"user\"}]}"),
        json("{\"a\":[{\"n\":\"carol\",\"r\":\"admin\"},{\"n\":\"dave\",\"r\":\"user\"}]}"));
  }

  @Test
  void everyKindOfJsonValueIsStoredAndJudgedAlike() {
    judgedAlike(
        "version: 1\ndefaults:\n  treatNullAsAbsent: true\n  lenientTypes: true\n",
        json("{\"a\":null,\"b\":1.50,\"c\":true,\"d\":\"7\",\"e\":[null,2e3],\"f\":\"s\"}"),
        json("{\"b\":1.5,\"c\":\"true\",\"d\":7,\"e\":[null,2000],\"f\":\"t\"}"));
    judgedAlike("version: 1\n", json("null"), json("{\"a\":null}"));
  }

  @Test
  void deepDocumentsAreStoredAndJudgedAlike() {
    String deep = "[".repeat(3000) + "\"x\"" + "]".repeat(3000);
    String other = "[".repeat(3000) + "\"y\"" + "]".repeat(3000);
    judgedAlike("version: 1\n", json(deep), json(other));
  }

  @Test
  void aBodyThatIsNotJsonFallsBackToTextWithTheTextOptionsEitherWay() {
    judgedAlike(
        "version: 1\ndefaults:\n  comparators:\n    text: {ignoreTrailingWhitespace: true}\n",
        json("not json \nx"),
        json("not json\nx"));
  }

  @Test
  void aNumberBeyondExactDecimalsIsComparedAsTextNotAFailure() {
    HttpResponse e = json("{\"n\":1e8901234567890,\"s\":\"x\"}");
    HttpResponse a = json("{\"n\":1e8901234567890,\"s\":\"y\"}");
    ResponseDiff d = DiffEngine.of(Rules.defaults()).compare(e, a, EndpointRule.builtIn());
    assertThat(d.notes()).anyMatch(n -> n.contains("not valid JSON"));
    assertThat(d.differences()).isNotEmpty();
    judgedAlike("version: 1\n", e, a);
  }

  @Test
  void aCommaInAQuotedStringIsNoListSeparator() {
    HttpResponse e = json("{}", "Content-Disposition", "attachment; filename=\"a,b.txt\"");
    HttpResponse a = json("{}", "Content-Disposition", "attachment; filename=\"a, b.txt\"");
    assertThat(DiffEngine.of(Rules.defaults()).compare(e, a, EndpointRule.builtIn()).differences())
        .extracting(Difference::path)
        .containsExactly("header:Content-Disposition");
    judgedAlike("version: 1\n", e, a);
    // a list still is one: its order and spacing as before
    judgedAlike(
        "version: 1\n", json("{}", "Vary", "Accept, Origin"), json("{}", "Vary", "Accept,Origin"));
    judgedAlike(
        "version: 1\n", json("{}", "X-A", "\"x\\\",y\", z"), json("{}", "X-A", "\"x\\\",y\",z"));
    judgedAlike("version: 1\n", json("{}", "X-A", ""), json("{}", "X-A", "a"));
    judgedAlike("version: 1\n", json("{}", "X-A", "a, "), json("{}", "X-A", "a"));
  }

  @Test
  void headerValuesSplitAsTheComparisonSplitsThem() {
    judgedAlike("version: 1\n", json("{}", "Vary", "Accept,"), json("{}", "Vary", "Accept"));
    judgedAlike("version: 1\n", json("{}", "X-A", ","), json("{}", "X-A", ""));
    judgedAlike("version: 1\n", json("{}", "X-A", "a,,b"), json("{}", "X-A", "a,b"));
  }

  @Test
  void loneSurrogatesStayDifferent() {
    judgedAlike("version: 1\n", json("{\"a\":\"\\ud800\"}"), json("{\"a\":\"\\udc00\"}"));
    judgedAlike("version: 1\n", json("{\"a\":\"\\ud800\"}"), json("{\"a\":\"?\"}"));
  }

  @Test
  void aLargeBodyIsReadBack() throws IOException {
    StringBuilder big = new StringBuilder("[");
    for (int i = 0; i < 10_500_000; i++) {
      big.append(i % 10).append(',');
    }
    big.append(
        "0]"); // 21 MB of numbers, kept as they are: a string longer than Jackson's default limit
    String body = big.toString();
    Rules rules = Rules.defaults();
    DiffEngine engine = DiffEngine.of(rules);
    EndpointRule rule = rules.ruleFor("GET", "/x");
    StoredPair s =
        engine.store(
            json(body), Origin.NONE, json(body + " "), Origin.NONE, rule, Pseudonyms.random());
    try (ResponsesFile f = ResponsesFile.create(dir, 1L << 30)) {
      f.write(new ResponsesFile.Entry("1", s, null, List.of()).at(0));
    }
    try (ResponsesFile.Reader r = ResponsesFile.Reader.open(dir.resolve(ResponsesFile.NAME))) {
      ResponsesFile.Entry e = r.next();
      assertThat(e.candidate().expected().body().size()).isGreaterThan(20_000_000);
      assertThat(r.drain().stored()).isEqualTo(1);
    }
  }

  static byte[] gzip(String text, int level) {
    try {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      try (java.util.zip.GZIPOutputStream out =
          new java.util.zip.GZIPOutputStream(bytes) {
            {
              def.setLevel(level);
            }
          }) {
        out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static List<Difference> bodyOnly(ResponseDiff d) {
    return d.differences().stream().filter(x -> x.type() == DifferenceType.BODY).toList();
  }

  /** {@code body} cut to its first {@code kept} bytes, as a replay past --max-body keeps it. */
  static HttpResponse cutGzip(byte[] body, int kept) {
    return new HttpResponse(
        200,
        "OK",
        Headers.of("Content-Type", "text/plain", "Content-Encoding", "gzip"),
        new Body.Binary(java.util.Arrays.copyOf(body, kept), true, body.length));
  }

  /**
   * A compressed body cut at the capture limit: its size is the compressed one, which says nothing
   * (two compressors, two sizes), so what its kept bytes decode to is compared with the other
   * side's decoded bytes, and nothing else: a match when they agree, a difference when they do not,
   * judged alike from the stored form.
   */
  @Test
  void aCompressedBodyCutAtTheLimitIsJudgedByWhatItsBytesDecodeTo() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < 20_000; i++) {
      text.append("line ")
          .append(i)
          .append(" of a long answer, ")
          .append(i * 7919 % 1000)
          .append('\n');
    }
    String t = text.toString();
    HttpResponse recorded =
        new HttpResponse(200, "OK", Headers.of("Content-Type", "text/plain"), Body.text(t));
    byte[] fast = gzip(t, 1);
    byte[] best = gzip(t, 9);
    assertThat(fast.length).isNotEqualTo(best.length);
    String changed = t.substring(0, 100) + "X" + t.substring(101);
    DiffEngine engine = DiffEngine.of(Rules.defaults());
    EndpointRule rule = Rules.defaults().ruleFor("GET", "/x");
    ResponseDiff same =
        engine.compare(recorded, Origin.NONE, cutGzip(fast, fast.length / 2), Origin.NONE, rule);
    assertThat(bodyOnly(same)).isEmpty();
    assertThat(same.notes())
        .anySatisfy(n -> assertThat(n).startsWith("body over the capture limit and compressed"));
    // both compressed, by two compressors, both cut
    assertThat(
            bodyOnly(
                engine.compare(
                    cutGzip(best, best.length / 3),
                    Origin.NONE,
                    cutGzip(fast, fast.length / 2),
                    Origin.NONE,
                    rule)))
        .isEmpty();
    byte[] other = gzip(changed, 1);
    ResponseDiff differs =
        engine.compare(recorded, Origin.NONE, cutGzip(other, other.length / 2), Origin.NONE, rule);
    assertThat(differs.differences())
        .filteredOn(d -> d.type() == DifferenceType.BODY)
        .singleElement()
        .satisfies(
            d -> assertThat(d.expected()).isEqualTo("decoded byte 100 = " + (int) t.charAt(100)));
    judgedAlike("version: 1\n", recorded, cutGzip(fast, fast.length / 2));
    judgedAlike("version: 1\n", recorded, cutGzip(other, other.length / 2));
    judgedAlike("version: 1\n", cutGzip(best, best.length / 3), cutGzip(fast, 40));
  }
}
