package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The normalising keys of rules.yaml v1: each with what it does and its errors (file:line:key). */
class NormalisingRulesTests {

  static HttpResponse json(int status, String body, String... headers) {
    return DiffEngineTests.response(status, "application/json", body, headers);
  }

  static List<Difference> compare(
      String yaml, String method, String target, HttpResponse e, HttpResponse a) {
    Rules rules = Rules.parse(yaml, "rules.yaml");
    return DiffEngine.of(rules).compare(HttpRequest.of(method, target), e, a).differences();
  }

  static void fails(String yaml, String message) {
    assertThatThrownBy(() -> Rules.parse(yaml, "rules.yaml"))
        .isInstanceOf(RulesException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void lenientTypesEqualIdsThatBecameStrings() {
    String yaml = "version: 1\ndefaults:\n  lenientTypes: true\n";
    HttpResponse v1 =
        json(
            200,
            "{\"id\":1,\"live\":true,\"ids\":[1,2],\"lines\":[{\"sku\":7,\"n\":1}],\"price\":1.50}");
    HttpResponse v2 =
        json(
            200,
            "{\"id\":\"1\",\"live\":\"true\",\"ids\":[\"1\",\"2\"],\"lines\":[{\"sku\":\"7\",\"n\":\"1\"}],\"price\":\"1.5\"}");
    assertThat(compare(yaml, "GET", "/x", v1, v2)).isEmpty();
    assertThat(compare("version: 1\n", "GET", "/x", v1, v2))
        .extracting(Difference::type)
        .contains(DifferenceType.TYPE);
    // lenient is not loose: other values, and strings that are not JSON numbers, still differ
    assertThat(compare(yaml, "GET", "/x", json(200, "{\"id\":1}"), json(200, "{\"id\":\"2\"}")))
        .hasSize(1);
    assertThat(compare(yaml, "GET", "/x", json(200, "{\"id\":1}"), json(200, "{\"id\":\"01\"}")))
        .hasSize(1);
    assertThat(
            compare(yaml, "GET", "/x", json(200, "{\"ok\":true}"), json(200, "{\"ok\":\"yes\"}")))
        .hasSize(1);
    // keyed and unordered arrays match "7" with 7
    String keyed = yaml + "  keyedArrays: {\"$.lines\": sku}\n  unorderedArrays: [\"$.ids\"]\n";
    assertThat(
            compare(
                keyed,
                "GET",
                "/x",
                json(200, "{\"ids\":[2,1],\"lines\":[{\"sku\":7},{\"sku\":8}]}"),
                json(200, "{\"ids\":[\"1\",\"2\"],\"lines\":[{\"sku\":\"8\"},{\"sku\":\"7\"}]}")))
        .isEmpty();
    fails(
        "version: 1\ndefaults:\n  lenientTypes: sometimes\n",
        "rules.yaml:3: defaults.lenientTypes: expected true or false");
  }

  @Test
  void headerPatternsNormalisePartOfAValue() {
    String yaml =
        """
        version: 1
        defaults:
          normalizeHeaders:
            Content-Type: ";\\\\s*charset=[^;]*"
            ETag: {pattern: "^W/", replace: ""}
            Cache-Control: [{pattern: "max-age=\\\\d+", replace: "max-age=N"}]
        """;
    HttpResponse e = json(200, "{}", "ETag", "W/\"abc\"", "Cache-Control", "public, max-age=60");
    e =
        e.withHeaders(
            e.headers()
                .without("Content-Type")
                .with("Content-Type", "application/json; charset=utf-8"));
    HttpResponse a = json(200, "{}", "ETag", "\"abc\"", "Cache-Control", "public, max-age=3600");
    assertThat(compare(yaml, "GET", "/x", e, a)).isEmpty();
    assertThat(compare("version: 1\n", "GET", "/x", e, a)).hasSize(3);
    HttpResponse otherType =
        a.withHeaders(a.headers().without("Content-Type").with("Content-Type", "text/html"));
    assertThat(compare(yaml, "GET", "/x", e, otherType))
        .extracting(Difference::path)
        .containsExactly("header:Content-Type");
    fails(
        "version: 1\ndefaults:\n  normalizeHeaders:\n    ETag: \"([a\"\n",
        "rules.yaml:4: defaults.normalizeHeaders.ETag: bad regex");
    fails(
        "version: 1\ndefaults:\n  normalizeHeaders:\n    ETag: {replace: x}\n",
        "rules.yaml:4: defaults.normalizeHeaders.ETag.pattern: missing");
  }

  @Test
  void byStatusKeysApplyOnlyWhenTheBaselineStatusMatches() {
    String yaml =
        """
        version: 1
        defaults:
          byStatus:
            "5xx": {ignore: ["$"]}
        endpoints:
          - match: "GET /posts/{id}"
            ignore: ["$.views"]
            byStatus:
              "404": {ignore: ["$.message"], ignoreHeaders: [X-Error-Id]}
        """;
    HttpResponse e404 = json(404, "{\"message\":\"no post 9\",\"code\":1}", "X-Error-Id", "a");
    HttpResponse a404 = json(404, "{\"message\":\"Not found\",\"code\":1}", "X-Error-Id", "b");
    assertThat(compare(yaml, "GET", "/posts/9", e404, a404)).isEmpty();
    // the same keys do not apply to a 200
    assertThat(
            compare(
                yaml,
                "GET",
                "/posts/9",
                json(200, "{\"message\":\"a\"}"),
                json(200, "{\"message\":\"b\"}")))
        .extracting(Difference::path)
        .containsExactly("$.message");
    // the entry's own keys still apply under 404, and the defaults' 5xx overlay only to 5xx
    assertThat(
            compare(
                yaml, "GET", "/posts/9", json(404, "{\"views\":1}"), json(404, "{\"views\":2}")))
        .isEmpty();
    assertThat(compare(yaml, "GET", "/other", json(503, "{\"a\":1}"), json(503, "{\"a\":2}")))
        .isEmpty();
    // the status itself is still compared
    assertThat(compare(yaml, "GET", "/other", json(503, "{}"), json(200, "{}")))
        .extracting(Difference::path)
        .containsExactly("status");
    fails(
        "version: 1\ndefaults:\n  byStatus:\n    \"600\": {ignore: [\"$\"]}\n",
        "rules.yaml:4: defaults.byStatus.600: expected status codes");
    fails(
        "version: 1\ndefaults:\n  byStatus:\n    \"404\": {skip: true}\n",
        "rules.yaml:4: skip: unknown key in defaults.byStatus.404");
  }

  @Test
  void theCandidateRootProjectsAnEnvelope() {
    String yaml =
        """
        version: 1
        endpoints:
          - match: "GET /posts"
            candidateRoot: "$.data"
        """;
    HttpResponse v1 = json(200, "[{\"id\":1},{\"id\":2}]");
    HttpResponse v2 = json(200, "{\"first\":1,\"next\":2,\"data\":[{\"id\":1},{\"id\":2}]}");
    assertThat(compare(yaml, "GET", "/posts", v1, v2)).isEmpty();
    assertThat(compare(yaml, "GET", "/posts", v1, json(200, "{\"data\":[{\"id\":1},{\"id\":3}]}")))
        .extracting(Difference::path)
        .containsExactly("$[1].id"); // in the baseline's coordinates
    assertThat(compare(yaml, "GET", "/posts", v1, json(200, "{\"items\":[]}")))
        .singleElement()
        .satisfies(d -> assertThat(d.path()).isEqualTo("$.data"));
    // a legacy-vs-legacy comparison (noise) is never projected
    Rules rules = Rules.parse(yaml, "rules.yaml");
    assertThat(
            DiffEngine.of(rules)
                .compareLegacy(v1, Origin.NONE, v1, Origin.NONE, rules.ruleFor("GET", "/posts"))
                .same())
        .isTrue();
    fails(
        "version: 1\nendpoints:\n  - match: \"GET /posts\"\n    candidateRoot: \"$.data[*]\"\n",
        "rules.yaml:4: endpoints[0].candidateRoot: must name one place");
    // the baseline side can be projected too (the old API had the envelope)
    assertThat(
            compare(
                "version: 1\ndefaults:\n  baselineRoot: \"$.result\"\n",
                "GET",
                "/x",
                json(200, "{\"result\":{\"a\":1}}"),
                json(200, "{\"a\":1}")))
        .isEmpty();
  }

  @Test
  void acceptedDifferencesAreMarkedWithTheirReason() {
    String yaml =
        """
        version: 1
        defaults:
          accepted:
            - {path: "header:X-Powered-By", reason: "the new stack does not advertise itself"}
        endpoints:
          - match: "GET /posts"
            accepted:
              - {path: "header:link", type: MISSING, reason: "v1 pages in the body"}
              - {path: "$.items[*].legacyId", reason: "internal id dropped"}
        """;
    HttpResponse e =
        json(
            200,
            "{\"items\":[{\"id\":1,\"legacyId\":9}]}",
            "Link",
            "<x>",
            "X-Powered-By",
            "Express");
    HttpResponse a = json(200, "{\"items\":[{\"id\":1}]}");
    List<Difference> d = compare(yaml, "GET", "/posts", e, a);
    assertThat(d)
        .extracting(Difference::path, Difference::accepted)
        .containsExactlyInAnyOrder(
            Tuple.tuple("header:Link", "v1 pages in the body"),
            Tuple.tuple("header:X-Powered-By", "the new stack does not advertise itself"),
            Tuple.tuple("$.items[0].legacyId", "internal id dropped"));
    assertThat(Outcome.compared(new ResponseDiff(d, List.of()), null, 200).verdict())
        .isEqualTo(Verdict.MATCH);
    // the type must match: a Link with another value is not accepted
    assertThat(
            compare(
                yaml,
                "GET",
                "/posts",
                json(200, "{}", "Link", "<x>"),
                json(200, "{}", "Link", "<y>")))
        .singleElement()
        .satisfies(x -> assertThat(x.isAccepted()).isFalse());
    // counted as matched and accepted, listed with the reason
    Statistics s = new Statistics();
    s.record("GET /posts", "e1", Outcome.compared(new ResponseDiff(d, List.of()), null, 200));
    Statistics.EndpointResult r = s.result(NoiseModel.defaults()).endpoints().get(0);
    assertThat(r.matched()).isEqualTo(1);
    assertThat(r.accepted()).isEqualTo(1);
    assertThat(r.discrepant()).isZero();
    assertThat(r.fields()).isEmpty();
    assertThat(r.acceptedFields())
        .extracting(Statistics.AcceptedResult::reason)
        .contains("v1 pages in the body");
    fails(
        "version: 1\ndefaults:\n  accepted:\n    - {path: \"header:Link\"}\n",
        "rules.yaml:4: defaults.accepted[0].reason: missing");
    fails(
        "version: 1\ndefaults:\n  accepted:\n    - {path: \"$.a\", type: GONE, reason: x}\n",
        "rules.yaml:4: defaults.accepted[0].type: unknown difference type \"GONE\"");
    fails(
        "version: 1\ndefaults:\n  accepted:\n    - {path: \"$.a[\", reason: x}\n",
        "rules.yaml:4: defaults.accepted[0].path: bad path");
  }

  @Test
  void anAcceptedRangeOfLinesCoversTheWordsAndLinesInsideIt() {
    String yaml =
        "version: 1\ndefaults:\n  accepted:\n    - {path: \"body:lines 2-3\", reason: footer}\n";
    HttpResponse e =
        new HttpResponse(
            200,
            "OK",
            Headers.of("Content-Type", "text/plain"),
            Body.text("a\nprice 10 EUR\nc\nd"));
    assertThat(
            compare(
                yaml,
                "GET",
                "/x",
                e,
                new HttpResponse(
                    200,
                    "OK",
                    Headers.of("Content-Type", "text/plain"),
                    Body.text("a\nprice 12 EUR\nC D\nd"))))
        .extracting(Difference::path, Difference::accepted)
        .containsExactly(
            Tuple.tuple("body:line 2 token 2", "footer"), Tuple.tuple("body:line 3", "footer"));
    // outside the range: counts
    assertThat(
            compare(
                yaml,
                "GET",
                "/x",
                e,
                new HttpResponse(
                    200,
                    "OK",
                    Headers.of("Content-Type", "text/plain"),
                    Body.text("a\nprice 10 EUR\nc\nD"))))
        .extracting(Difference::accepted)
        .containsExactly((String) null);
  }

  @Test
  void anAcceptedStatusNeverCoversAServerErrorUnlessNamed() {
    String any = "version: 1\ndefaults:\n  accepted:\n    - {path: status, reason: \"201 now\"}\n";
    assertThat(compare(any, "GET", "/x", json(200, "{}"), json(201, "{}")))
        .extracting(Difference::accepted)
        .containsExactly("201 now");
    // a 503 is an outage, not the change the migration made: it still counts
    assertThat(compare(any, "GET", "/x", json(200, "{}"), json(503, "{}")))
        .extracting(Difference::accepted)
        .containsExactly((String) null);
    String created =
        "version: 1\ndefaults:\n  accepted:\n    - {path: \"status:201\", reason: created}\n";
    assertThat(compare(created, "GET", "/x", json(200, "{}"), json(201, "{}")))
        .extracting(Difference::accepted)
        .containsExactly("created");
    assertThat(compare(created, "GET", "/x", json(200, "{}"), json(202, "{}")))
        .extracting(Difference::accepted)
        .containsExactly((String) null);
    String twoXx = "version: 1\ndefaults:\n  accepted:\n    - {path: \"status:2xx\", reason: ok}\n";
    assertThat(compare(twoXx, "GET", "/x", json(500, "{}"), json(204, "{}")))
        .extracting(Difference::accepted)
        .containsExactly("ok");
    String fiveXx =
        "version: 1\ndefaults:\n  accepted:\n    - {path: \"status:5xx\", reason: known}\n";
    assertThat(compare(fiveXx, "GET", "/x", json(200, "{}"), json(503, "{}")))
        .extracting(Difference::accepted)
        .containsExactly("known");
    // paths that look like a status, header or body path but are none are refused, not ignored
    for (String bad : List.of("status 2xx->2xx", "statusXYZ", "status:2x", "Status")) {
      fails(
          "version: 1\ndefaults:\n  accepted:\n    - {path: \"" + bad + "\", reason: x}\n",
          "rules.yaml:4: defaults.accepted[0].path: expected status, status:201 or status:2xx, got");
    }
    fails(
        "version: 1\ndefaults:\n  accepted:\n    - {path: \"header\", reason: x}\n",
        "rules.yaml:4: defaults.accepted[0].path: expected header:Name");
    fails(
        "version: 1\ndefaults:\n  accepted:\n    - {path: \"body:3\", reason: x}\n",
        "rules.yaml:4: defaults.accepted[0].path: expected body, body:line 3");
  }

  @Test
  void transformsRewriteTheCandidatesRequestOnly() {
    String yaml =
        """
        version: 1
        transforms:
          - match: "GET /posts?_limit"
            candidate:
              renameQuery: {_limit: _per_page}
          - match: "GET /posts/{id}/comments"
            candidate:
              path: "/comments?postId={id}"
        """;
    TransformRun t =
        TransformRun.start(Rules.parse(yaml, "rules.yaml").transforms(), n -> null, Duration.ZERO);
    assertThat(candidate(t, HttpRequest.of("GET", "/posts?_page=2&_limit=10")).target())
        .isEqualTo("/posts?_page=2&_per_page=10");
    assertThat(candidate(t, HttpRequest.of("GET", "/posts/7/comments")).target())
        .isEqualTo("/comments?postId=7");
    assertThat(candidate(t, HttpRequest.of("GET", "/posts/7/comments?_sort=id")).target())
        .isEqualTo("/comments?postId=7&_sort=id");
    HttpRequest untouched = HttpRequest.of("GET", "/posts?_page=2");
    assertThat(candidate(t, untouched)).isSameAs(untouched);
    assertThat(
            t.prepare(
                    HttpRequest.of("GET", "/posts?_page=2&_limit=1"),
                    Transforms.Target.PRIMARY,
                    null)
                .request()
                .target())
        .isEqualTo("/posts?_page=2&_limit=1");
    fails(
        yaml.replace("/comments?postId={id}", "/comments?postId={postId}"),
        "rules.yaml:8: transforms[1].candidate.path: {postId} is not a parameter of \"GET /posts/{id}/comments\"");
    fails(
        "version: 1\ntransforms:\n  - match: \"GET /a\"\n",
        "rules.yaml:3: transforms[0]: says nothing to do");
    fails(
        "version: 1\ntransforms:\n  - match: \"GET /a\"\n    every: {path: \"/b\"}\n",
        "rules.yaml:4: every: unknown key in transforms[0]");
  }

  private static HttpRequest candidate(TransformRun t, HttpRequest r) {
    return t.prepare(r, Transforms.Target.CANDIDATE, null).request();
  }

  @Test
  void eachSwitchNamesItsFileLineAndKey() {
    fails(
        "version: 1\ndefaults:\n  splitByQueryNames: 1\n",
        "rules.yaml:3: defaults.splitByQueryNames: expected true or false");
    fails(
        "version: 1\nendpoints:\n  - match: \"GET /a\"\n    normalizeOrigins: maybe\n",
        "rules.yaml:4: endpoints[0].normalizeOrigins: expected true or false");
    fails(
        "version: 1\ndefaults:\n  baselineRoot: \"$..result\"\n",
        "rules.yaml:3: defaults.baselineRoot: must name one place");
    fails(
        "version: 1\ndefaults:\n  byStatus:\n    \"404\": {splitByQueryNames: true}\n",
        "rules.yaml:4: splitByQueryNames: unknown key in defaults.byStatus.404");
    fails(
        "version: 1\nendpoints:\n  - match: \"GET /posts?\"\n",
        "rules.yaml:3: endpoints[0].match: expected query parameter names");
  }

  @Test
  void aHugeRulesFileIsRefusedBeforeItIsParsed(@TempDir Path dir) throws Exception {
    Path big = dir.resolve("big.yaml");
    try (var w = Files.newBufferedWriter(big)) {
      w.write("version: 1\ndefaults:\n  ignoreHeaders: [\"");
      for (int i = 0; i < 50; i++) {
        w.write("x".repeat(1 << 20)); // a 50 MB scalar
      }
      w.write("\"]\n");
    }
    assertThatThrownBy(() -> Rules.load(big))
        .isInstanceOf(RulesException.class)
        .hasMessage(
            big
                + ": is larger than 1 MiB, or not a regular file: a rules file is a few kilobytes of YAML");
  }

  @Test
  void rulesJudgeAlikeWhenOnlyThresholdsDiffer() {
    Rules a =
        Rules.parse(
            "version: 1\nendpoints:\n  - match: \"GET /a\"\n    ignore: [\"$.x\"]\n    maxDiscrepancyRate: 1%\n",
            "a");
    Rules b =
        Rules.parse(
            "version: 1\n# a comment\nendpoints:\n  - {match: \"GET /a\", ignore: [\"$.x\"], maxDiscrepancyRate: 5%}\n",
            "b");
    Rules c =
        Rules.parse("version: 1\nendpoints:\n  - match: \"GET /a\"\n    ignore: [\"$.y\"]\n", "c");
    assertThat(a.judgesLike(b)).isTrue();
    assertThat(a.judgesLike(c)).isFalse();
    assertThat(Rules.defaults().judgesLike(Rules.parse("version: 1\ndefaults: {}\n", "d")))
        .isTrue();
    assertThat(Rules.defaults().judgesLike(c)).isFalse();
  }
}
