package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** False matches and noise leaks: comparisons that once called different responses equal, each pinned. */
class FalseMatchTests {

  final DiffEngine engine = DiffEngine.of(Rules.defaults());

  static HttpResponse ok(String type, Body body, String... headers) {
    return new HttpResponse(200, "OK", Headers.of(headers).withFirst("Content-Type", type), body);
  }

  @Test
  void aShortOrEmptyCandidateNeverMatchesATruncatedRecording() {
    byte[] full = "x".repeat(1013).getBytes(StandardCharsets.UTF_8);
    Body cut = Body.of(Arrays.copyOf(full, 100), 1013);
    HttpResponse recorded = ok("text/plain", cut);
    assertThat(
            engine
                .compare(recorded, ok("text/plain", Body.text("")), EndpointRule.builtIn())
                .same())
        .isFalse();
    assertThat(
            engine
                .compare(
                    recorded, ok("text/plain", Body.text("x".repeat(50))), EndpointRule.builtIn())
                .same())
        .isFalse();
    assertThat(
            engine
                .compare(
                    recorded, ok("text/plain", Body.text("x".repeat(108))), EndpointRule.builtIn())
                .same())
        .isFalse();
    assertThat(
            engine
                .compare(recorded, ok("text/plain", Body.of(full)), EndpointRule.builtIn())
                .same())
        .isTrue();
  }

  /** The verdict of {@code candidate} against {@code a}, with noise learned between a and b. */
  private Verdict judged(String type, String a, String b, String candidate) {
    HttpResponse legacy = ok(type, Body.text(a));
    ResponseDiff noise = engine.compare(legacy, ok(type, Body.text(b)), EndpointRule.builtIn());
    ResponseDiff diff =
        engine.compare(legacy, ok(type, Body.text(candidate)), EndpointRule.builtIn());
    return Outcome.compared(diff, noise, 200).verdict();
  }

  @Test
  void aNoisyWordOfAOneLinePageExcusesThatWordOnly() {
    String a = "<html><input name=csrf value=\"k1Zx+/9=\"><b>Price: 10.00</b></html>";
    String b = "<html><input name=csrf value=\"Qq8a-_0=\"><b>Price: 10.00</b></html>";
    String sameButToken = "<html><input name=csrf value=\"Zz7t+/1=\"><b>Price: 10.00</b></html>";
    String priceChanged = "<html><input name=csrf value=\"Zz7t+/1=\"><b>Price: 99.00</b></html>";
    String tokenGone = "<html><b>Price: 10.00</b></html>";
    assertThat(judged("text/html", a, b, sameButToken)).isEqualTo(Verdict.NOISE_ONLY);
    assertThat(judged("text/html", a, b, priceChanged)).isEqualTo(Verdict.DIFFERENT);
    assertThat(judged("text/html", a, b, tokenGone)).isEqualTo(Verdict.DIFFERENT);
    // JSONP, and JSON served as text
    String jsonp = "cb({\"ts\":1700000001,\"price\":10})";
    String jsonpB = "cb({\"ts\":1700000002,\"price\":10})";
    assertThat(
            judged("application/javascript", jsonp, jsonpB, "cb({\"ts\":1700000003,\"price\":10})"))
        .isEqualTo(Verdict.NOISE_ONLY);
    assertThat(
            judged("application/javascript", jsonp, jsonpB, "cb({\"ts\":1700000003,\"price\":0})"))
        .isEqualTo(Verdict.DIFFERENT);
    // a noisy line of a page deleted by the candidate is a lost line, not noise
    String page = "<p>a</p>\n<meta name=csrf content=k1>\n<p>b</p>";
    String pageB = "<p>a</p>\n<meta name=csrf content=k2>\n<p>b</p>";
    assertThat(judged("text/html", page, pageB, "<p>a</p>\n<p>b</p>")).isEqualTo(Verdict.DIFFERENT);
    assertThat(judged("text/html", page, pageB, "<p>a</p>\n<meta name=csrf content=k3>\n<p>b</p>"))
        .isEqualTo(Verdict.NOISE_ONLY);
  }

  @Test
  void aNoisyFooterDoesNotHideAChangedTotal() {
    ResponseDiff candidate =
        new ResponseDiff(
            List.of(
                new Difference(
                    "body:lines 10-12",
                    "body",
                    DifferenceType.BODY,
                    "Total: 10.00\n...\nt=1",
                    "Total: 99999.00\n...\nt=3")),
            List.of());
    ResponseDiff noise =
        new ResponseDiff(
            List.of(new Difference("body:line 12", "body", DifferenceType.BODY, "t=1", "t=2")),
            List.of());
    assertThat(Outcome.compared(candidate, noise, 200).verdict()).isEqualTo(Verdict.DIFFERENT);
    ResponseDiff footerOnly =
        new ResponseDiff(
            List.of(new Difference("body:line 12", "body", DifferenceType.BODY, "t=1", "t=3")),
            List.of());
    assertThat(Outcome.compared(footerOnly, noise, 200).verdict()).isEqualTo(Verdict.NOISE_ONLY);
    ResponseDiff binary =
        new ResponseDiff(
            List.of(new Difference("body", "body", DifferenceType.BODY, "3 bytes", "4 bytes")),
            List.of());
    assertThat(Outcome.compared(binary, binary, 200).verdict()).isEqualTo(Verdict.DIFFERENT);
  }

  @Test
  void bodyFieldsAreNeverExcusedByRates() {
    Statistics s = new Statistics();
    ResponseDiff text =
        new ResponseDiff(
            List.of(new Difference("body:line 1", "body", DifferenceType.BODY, "a", "b")),
            List.of());
    ResponseDiff other =
        new ResponseDiff(
            List.of(new Difference("body:line 2", "body", DifferenceType.BODY, "a", "c")),
            List.of());
    for (int i = 0; i < 100; i++) {
      s.record("GET /x", "e" + i, Outcome.compared(text, other, 200));
    }
    Statistics.EndpointResult r = s.result(NoiseModel.defaults()).endpoints().get(0);
    assertThat(r.discrepant()).isEqualTo(100);
  }

  @Test
  @Timeout(5)
  void anAbsurdExponentDoesNotStallTheComparison() {
    JsonOptions tolerant = JsonOptions.strict().withTolerance(Tolerance.parse("0.01"));
    assertThat(JsonDiff.compare("{\"p\":1}", "{\"p\":1e300000000}", tolerant)).hasSize(1);
    assertThat(
            JsonDiff.compare(
                "{\"p\":1e300000000}",
                "{\"p\":1}",
                tolerant.withTolerance(Tolerance.parse("0.5%"))))
        .hasSize(1);
    assertThat(JsonDiff.compare("{\"p\":1.00}", "{\"p\":1.005}", tolerant)).isEmpty();
  }

  @Test
  void duplicateKeysAreNotSilentlyCollapsed() {
    ResponseDiff d =
        engine.compare(
            ok("application/json", Body.text("{\"a\":1,\"a\":2}")),
            ok("application/json", Body.text("{\"a\":2}")),
            EndpointRule.builtIn());
    assertThat(d.same()).isFalse();
    assertThat(d.notes()).anySatisfy(n -> assertThat(n).contains("not valid JSON"));
  }

  @Test
  void xmlMixedContentKeepsTextPositions() {
    ResponseDiff d =
        engine.compare(
            ok("application/xml", Body.text("<a>x<b/>y</a>")),
            ok("application/xml", Body.text("<a>xy<b/></a>")),
            EndpointRule.builtIn());
    assertThat(d.same()).isFalse();
  }

  @Test
  void badPercentEncodingIsNotEqualToTheEncodedPercent() {
    ResponseDiff d =
        engine.compare(
            ok("application/x-www-form-urlencoded", Body.text("a=%zz")),
            ok("application/x-www-form-urlencoded", Body.text("a=%25zz")),
            EndpointRule.builtIn());
    assertThat(d.same()).isFalse();
  }

  @Test
  void repeatedAndCombinedHeaderValuesAreTheSame() {
    HttpResponse repeated = ok("text/plain", Body.text("x"), "X-A", "1", "X-A", "2");
    HttpResponse combined = ok("text/plain", Body.text("x"), "X-A", "1, 2");
    assertThat(engine.compare(repeated, combined, EndpointRule.builtIn()).same()).isTrue();
    HttpResponse cookies = ok("text/plain", Body.text("x"), "Set-Cookie", "a=1, b=2");
    HttpResponse twoCookies =
        ok("text/plain", Body.text("x"), "Set-Cookie", "a=1", "Set-Cookie", "b=2");
    assertThat(engine.compare(cookies, twoCookies, EndpointRule.builtIn()).same()).isFalse();
  }
}
