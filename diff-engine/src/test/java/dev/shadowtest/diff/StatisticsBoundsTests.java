package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Memory is bounded whatever the bodies: differences per exchange, fields per endpoint, combinations. */
class StatisticsBoundsTests {

  static Difference value(String field) {
    return new Difference(field, field, DifferenceType.VALUE, "1", "2");
  }

  @Test
  void aBodyWithTwoHundredThousandDifferencesKeepsAThousandAndCountsTheRest() {
    StringBuilder e = new StringBuilder("{");
    StringBuilder a = new StringBuilder("{");
    for (int i = 0; i < 200_000; i++) {
      e.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":1");
      a.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":2");
    }
    ResponseDiff d =
        DiffEngine.of(Rules.defaults())
            .compare(
                DiffEngineTests.response(200, "application/json", e + "}"),
                DiffEngineTests.response(200, "application/json", a + "}"),
                EndpointRule.builtIn());
    assertThat(d.differences()).hasSize(DiffEngine.MAX_DIFFERENCES + 1);
    Difference more = d.differences().get(DiffEngine.MAX_DIFFERENCES);
    assertThat(more.field()).isEqualTo("(more differences)");
    assertThat(more.actual()).startsWith("199000 more difference(s) not listed");
    // never noise: even if the legacy instances differed in every listed field, the exchange counts
    assertThat(Outcome.compared(d, d, 200).verdict()).isEqualTo(Verdict.DIFFERENT);
  }

  @Test
  void fieldsBeyondTheCapAreFoldedIntoOtherFieldsWhichIsNeverNoise() {
    Statistics s = new Statistics();
    int fields = Statistics.MAX_FIELDS + 2_000;
    for (int i = 0; i < fields; i++) {
      String f = String.format("$.f%06d", i);
      ResponseDiff cand = new ResponseDiff(List.of(value(f)), List.of());
      // the legacy instances differ the same way each time: noise, for the fields counted one by
      // one
      s.record("GET /x", "e" + i, Outcome.compared(cand, cand, 200));
    }
    Statistics.EndpointResult r = s.result(new NoiseModel(1, 0.2, 0.0003, 1.96)).endpoints().get(0);
    assertThat(r.fields()).hasSize(Statistics.MAX_FIELDS + 1);
    Statistics.FieldResult other =
        r.fields().stream()
            .filter(f -> f.field().equals(Statistics.OTHER_FIELDS))
            .findFirst()
            .orElseThrow();
    assertThat(other.count()).isEqualTo(2_000);
    assertThat(other.real()).isTrue();
    assertThat(r.discrepant()).isEqualTo(2_000); // the exchanges of the folded fields
    assertThat(r.compared()).isEqualTo(fields);
    // the fields kept are the smallest: $.f000000 .. $.f009999
    assertThat(r.fields())
        .extracting(Statistics.FieldResult::field)
        .contains("$.f000000", "$.f009999")
        .doesNotContain("$.f010000");
    // the judgement of one exchange agrees
    Judgement j = Judgement.of(s.result(new NoiseModel(1, 0.2, 0.0003, 1.96)));
    assertThat(j.judge("GET /x", Verdict.NOISE_ONLY, List.of(value("$.f011000"))).verdict())
        .isEqualTo(Verdict.DIFFERENT);
    assertThat(j.judge("GET /x", Verdict.NOISE_ONLY, List.of(value("$.f000001"))).verdict())
        .isEqualTo(Verdict.NOISE_ONLY);
  }

  @Test
  void mergingStaysExactBeyondTheCaps() {
    List<StatisticsTests.Event> events = new ArrayList<>();
    for (int i = 0; i < Statistics.MAX_FIELDS + 3_000; i++) {
      List<Difference> d =
          List.of(
              value(String.format("$.f%06d", (i * 7919) % (Statistics.MAX_FIELDS + 3_000))),
              value("$.common"));
      ResponseDiff cand = new ResponseDiff(d, List.of());
      events.add(
          new StatisticsTests.Event(
              "GET /x", "e" + i, Outcome.compared(cand, i % 3 == 0 ? cand : null, 200)));
    }
    Statistics whole = StatisticsTests.of(events);
    Statistics a = StatisticsTests.of(events.subList(0, 5_000));
    Statistics b = StatisticsTests.of(events.subList(5_000, events.size()));
    NoiseModel model = new NoiseModel(5, 0.2, 0.0003, 1.96);
    assertThat(a.merge(b).result(model)).isEqualTo(whole.result(model));
    assertThat(b.merge(a).result(model)).isEqualTo(whole.result(model));
  }

  @Test
  void anExchangeDifferingInManyFieldsCountsAsDiscrepantWhateverTheNoise() {
    List<Difference> many = new ArrayList<>();
    for (int i = 0; i <= Statistics.MAX_SIGNATURE_FIELDS; i++) {
      many.add(value("$.n" + i));
    }
    ResponseDiff d = new ResponseDiff(many, List.of());
    Statistics s = new Statistics();
    for (int i = 0; i < 100; i++) {
      s.record("GET /x", "e" + i, Outcome.compared(d, d, 200));
    }
    Statistics.RunResult r = s.result(NoiseModel.defaults());
    assertThat(r.discrepant()).isEqualTo(100);
    assertThat(r.endpoints().get(0).fields())
        .filteredOn(f -> !f.field().equals(Statistics.OTHER_FIELDS))
        .allSatisfy(f -> assertThat(f.real()).isFalse()); // each field alone is noise
    assertThat(Judgement.of(r).judge("GET /x", Verdict.NOISE_ONLY, many).verdict())
        .isEqualTo(Verdict.DIFFERENT);
    assertThat(Set.copyOf(many)).hasSize(Statistics.MAX_SIGNATURE_FIELDS + 1);
  }
}
