package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpResponse;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** Noise of one kind never excuses another; verdicts come from the run's statistics. */
class JudgementTests {

  final DiffEngine engine = DiffEngine.of(Rules.defaults());

  static HttpResponse json(int status, String body, String... headers) {
    return DiffEngineTests.response(status, "application/json", body, headers);
  }

  @Test
  void headerDifferencesAreTypedMissingExtraOrValue() {
    ResponseDiff d =
        engine.compare(
            json(200, "{}", "Link", "<a>", "ETag", "1"),
            json(200, "{}", "ETag", "2", "X-New", "n"),
            EndpointRule.builtIn());
    assertThat(d.differences())
        .extracting(Difference::path, Difference::type)
        .containsExactly(
            Tuple.tuple("header:Link", DifferenceType.MISSING),
            Tuple.tuple("header:ETag", DifferenceType.VALUE),
            Tuple.tuple("header:X-New", DifferenceType.EXTRA));
  }

  @Test
  void aHeaderValueThatDiffersBetweenLegacyInstancesNeverExcusesADroppedHeader() {
    Statistics s = new Statistics();
    for (int i = 0; i < 100; i++) {
      ResponseDiff candidate =
          engine.compare(json(200, "{}", "Link", "<a>"), json(200, "{}"), EndpointRule.builtIn());
      ResponseDiff noise =
          engine.compareLegacy(
              json(200, "{}", "Link", "<a>"),
              Origin.NONE,
              json(200, "{}", "Link", "<b>"),
              Origin.NONE,
              EndpointRule.builtIn());
      Outcome o = Outcome.compared(candidate, noise, 200);
      assertThat(o.verdict()).isEqualTo(Verdict.DIFFERENT);
      s.record("GET /posts", "e" + i, o);
    }
    Statistics.EndpointResult r = s.result(NoiseModel.defaults()).endpoints().get(0);
    assertThat(r.discrepant()).isEqualTo(100);
    assertThat(r.fields())
        .filteredOn(f -> f.type() == DifferenceType.MISSING)
        .singleElement()
        .satisfies(f -> assertThat(f.real()).isTrue());
  }

  @Test
  void aStatusFlakeBetweenLegacyInstancesNeverExcusesACandidate5xx() {
    Statistics s = new Statistics();
    for (int i = 0; i < 100; i++) {
      ResponseDiff noise =
          engine.compareLegacy(
              json(200, "{}"),
              Origin.NONE,
              json(i % 2 == 0 ? 404 : 500, "{}"),
              Origin.NONE,
              EndpointRule.builtIn()); // the secondary flakes, even with 500s
      ResponseDiff candidate =
          engine.compare(json(200, "{}"), json(500, "{}"), EndpointRule.builtIn());
      s.record("GET /x", "e" + i, Outcome.compared(candidate, noise, 500));
    }
    Statistics.EndpointResult r = s.result(NoiseModel.defaults()).endpoints().get(0);
    assertThat(r.discrepant()).isEqualTo(100);
    assertThat(r.fields())
        .filteredOn(f -> f.field().equals("status 2xx->5xx"))
        .singleElement()
        .satisfies(f -> assertThat(f.real()).isTrue());
  }

  @Test
  void aStatusFlakeExcusesTheSameFlakeOnTheCandidate() {
    Statistics s = new Statistics();
    for (int i = 0; i < 100; i++) {
      boolean flake = i % 2 == 0;
      ResponseDiff noise =
          engine.compareLegacy(
              json(200, "{}"),
              Origin.NONE,
              json(flake ? 404 : 200, "{}"),
              Origin.NONE,
              EndpointRule.builtIn());
      ResponseDiff candidate =
          engine.compare(
              json(200, "{}"), json(i % 2 == 1 ? 404 : 200, "{}"), EndpointRule.builtIn());
      s.record("GET /x", "e" + i, Outcome.compared(candidate, noise, 200));
    }
    Statistics.EndpointResult r = s.result(NoiseModel.defaults()).endpoints().get(0);
    assertThat(r.discrepant()).isZero();
    assertThat(r.noise()).isEqualTo(50);
  }

  @Test
  void withTooFewNoiseSamplesNothingIsExcusedAtExchangeLevelEither() {
    Statistics s = new Statistics();
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 22; i++) { // fewer than minSamples (30) exchanges measured noise
      ResponseDiff noise =
          engine.compareLegacy(
              json(201, "{\"at\":1}"),
              Origin.NONE,
              json(201, "{\"at\":2}"),
              Origin.NONE,
              EndpointRule.builtIn());
      ResponseDiff candidate =
          engine.compare(json(201, "{\"at\":1}"), json(201, "{\"at\":3}"), EndpointRule.builtIn());
      Outcome o = Outcome.compared(candidate, noise, 201);
      assertThat(o.verdict())
          .isEqualTo(Verdict.NOISE_ONLY); // provisional: this exchange's own noise
      outcomes.add(o);
      s.record("POST /posts", "e" + i, o);
    }
    Statistics.RunResult result = s.result(NoiseModel.defaults());
    Statistics.EndpointResult r = result.endpoints().get(0);
    assertThat(r.discrepant()).isEqualTo(22);
    assertThat(r.noise()).isZero();
    assertThat(r.fields()).singleElement().satisfies(f -> assertThat(f.real()).isTrue());
    Judgement j = Judgement.of(result);
    for (Outcome o : outcomes) {
      Judgement.Judged judged = j.judge("POST /posts", o.verdict(), o.differences());
      assertThat(judged.verdict()).isEqualTo(Verdict.DIFFERENT);
      assertThat(judged.standing(o.differences().get(0))).isEqualTo(Judgement.Standing.COUNTS);
    }
  }

  @Test
  void theJudgementAgreesWithTheStatisticsOnRandomRuns() {
    for (long seed = 1; seed <= 10; seed++) {
      List<StatisticsTests.Event> events = StatisticsTests.events(seed, 400);
      Statistics s = StatisticsTests.of(events);
      Statistics.RunResult result = s.result(new NoiseModel(5, 0.2, 0.0003, 1.96));
      Judgement j = Judgement.of(result);
      Map<String, long[]> counted = new TreeMap<>();
      for (StatisticsTests.Event e : events) {
        Verdict v =
            j.judge(e.endpoint(), e.outcome().verdict(), e.outcome().differences()).verdict();
        long[] c = counted.computeIfAbsent(e.endpoint(), k -> new long[3]);
        c[0] += v == Verdict.DIFFERENT ? 1 : 0;
        c[1] += v == Verdict.NOISE_ONLY ? 1 : 0;
        c[2] += v == Verdict.MATCH ? 1 : 0;
      }
      for (Statistics.EndpointResult r : result.endpoints()) {
        long[] c = counted.get(r.endpoint());
        assertThat(new long[] {r.discrepant(), r.noise(), r.matched()})
            .as("seed %d %s", seed, r.endpoint())
            .containsExactly(c);
      }
    }
  }

  @Test
  void originsAreNormalisedInHeadersAndBodies() {
    Origin primary = Origin.of(URI.create("http://127.0.0.1:8081"), "127.0.0.1:8081");
    Origin candidate = Origin.of(URI.create("http://127.0.0.1:9090"), "127.0.0.1:9090");
    HttpResponse e =
        json(
            200,
            "{\"next\":\"http://127.0.0.1:8081/posts?_page=2\",\"self\":\"http:\\/\\/127.0.0.1:8081\\/posts\"}",
            "Link",
            "<http://127.0.0.1:8081/posts?_page=2>; rel=\"next\"",
            "X-Host",
            "127.0.0.1:8081");
    HttpResponse a =
        json(
            200,
            "{\"next\":\"http://127.0.0.1:9090/posts?_page=2\",\"self\":\"http:\\/\\/127.0.0.1:9090\\/posts\"}",
            "Link",
            "<http://127.0.0.1:9090/posts?_page=2>; rel=\"next\"",
            "X-Host",
            "127.0.0.1:9090");
    assertThat(engine.compare(e, primary, a, candidate, EndpointRule.builtIn()).differences())
        .isEmpty();
    // the recorded baseline's own Host, any scheme
    HttpResponse recorded = json(200, "{\"next\":\"https://api.example.com/posts?_page=2\"}");
    HttpResponse live = json(200, "{\"next\":\"http://127.0.0.1:9090/posts?_page=2\"}");
    assertThat(
            engine
                .compare(
                    recorded,
                    Origin.recorded("api.example.com"),
                    live,
                    candidate,
                    EndpointRule.builtIn())
                .same())
        .isTrue();
    // a real difference after the address still shows
    HttpResponse other = json(200, "{\"next\":\"http://127.0.0.1:9090/posts?_page=3\"}");
    assertThat(
            engine
                .compare(
                    recorded,
                    Origin.recorded("api.example.com"),
                    other,
                    candidate,
                    EndpointRule.builtIn())
                .differences())
        .singleElement()
        .satisfies(d -> assertThat(d.expected()).contains("{origin}/posts?_page=2"));
  }

  @Test
  void originNormalisationCanBeTurnedOff() {
    Rules off = Rules.parse("version: 1\ndefaults:\n  normalizeOrigins: false\n", "r.yaml");
    Origin primary = Origin.of(URI.create("http://127.0.0.1:8081"), null);
    Origin candidate = Origin.of(URI.create("http://127.0.0.1:9090"), null);
    HttpResponse e = json(200, "{}", "Location", "http://127.0.0.1:8081/posts/1");
    HttpResponse a = json(200, "{}", "Location", "http://127.0.0.1:9090/posts/1");
    assertThat(
            DiffEngine.of(off).compare(e, primary, a, candidate, off.defaultRule()).differences())
        .extracting(Difference::type)
        .containsExactly(DifferenceType.VALUE);
    assertThat(engine.compare(e, primary, a, candidate, EndpointRule.builtIn()).same()).isTrue();
  }

  @Test
  void aCandidate5xxIsNeverNoiseEvenWhenTheLegacyFlakesTheSameWay() {
    ResponseDiff noise =
        engine.compareLegacy(
            json(200, "{}"), Origin.NONE, json(500, "{}"), Origin.NONE, EndpointRule.builtIn());
    ResponseDiff candidate =
        engine.compare(json(200, "{}"), json(500, "{}"), EndpointRule.builtIn());
    assertThat(Outcome.compared(candidate, noise, 500).verdict()).isEqualTo(Verdict.DIFFERENT);
  }

  @Test
  void headersWithoutOriginsStillCompareExactly() {
    HttpResponse e = json(200, "{}", "Link", "<http://a:1/x>");
    HttpResponse a = json(200, "{}", "Link", "<http://b:2/x>");
    assertThat(engine.compare(e, Origin.NONE, a, Origin.NONE, EndpointRule.builtIn()).differences())
        .hasSize(1);
    assertThat(Headers.of("A", "1").first("A")).contains("1");
  }
}
