package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatisticsTests {

  record Event(String endpoint, String id, Outcome outcome) {}

  static Difference d(String field, DifferenceType type) {
    return new Difference(field, field, type, "1", "2");
  }

  static ResponseDiff diffs(Difference... ds) {
    return new ResponseDiff(List.of(ds), List.of());
  }

  static List<Event> events(long seed, int n) {
    Random r = new Random(seed);
    String[] endpoints = {"GET /a/{id}", "GET /b", "POST /c"};
    String[] fields = {"$.x", "$.items[*].price", "header:etag", "status"};
    List<Event> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Outcome o;
      switch (r.nextInt(8)) {
        case 0 -> o = Outcome.of(Verdict.SKIPPED);
        case 1 -> o = Outcome.of(Verdict.CANDIDATE_ERROR);
        case 2 -> o = Outcome.of(Verdict.NO_BASELINE);
        default -> {
          List<Difference> cand = new ArrayList<>();
          List<Difference> noise = new ArrayList<>();
          for (String f : fields) {
            if (r.nextInt(4) == 0) {
              cand.add(d(f, DifferenceType.VALUE));
            }
            if (r.nextInt(5) == 0) {
              noise.add(d(f, DifferenceType.VALUE));
            }
          }
          boolean secondary = r.nextBoolean();
          o =
              Outcome.compared(
                  diffs(cand.toArray(Difference[]::new)),
                  secondary ? diffs(noise.toArray(Difference[]::new)) : null,
                  r.nextInt(10) == 0 ? 503 : 200);
        }
      }
      out.add(new Event(endpoints[r.nextInt(endpoints.length)], "ex-" + seed + "-" + i, o));
    }
    return out;
  }

  static Statistics of(List<Event> events) {
    Statistics s = new Statistics();
    events.forEach(e -> s.record(e.endpoint(), e.id(), e.outcome()));
    return s;
  }

  @Test
  void mergingIsExactAssociativeAndCommutative() {
    for (long seed = 1; seed <= 20; seed++) {
      List<Event> a = events(seed, 300);
      List<Event> b = events(seed + 100, 200);
      List<Event> c = events(seed + 200, 100);
      List<Event> all = new ArrayList<>(a);
      all.addAll(b);
      all.addAll(c);
      Statistics sa = of(a);
      Statistics sb = of(b);
      Statistics sc = of(c);
      assertThat(sa.merge(sb).merge(sc)).isEqualTo(of(all));
      assertThat(sa.merge(sb.merge(sc))).isEqualTo(of(all));
      assertThat(sc.merge(sa).merge(sb)).isEqualTo(of(all));
      assertThat(sa.merge(sb).merge(sc).result(NoiseModel.defaults()))
          .isEqualTo(of(all).result(NoiseModel.defaults()));
    }
  }

  @Test
  void countsFollowTheDesignRules() {
    Statistics s = new Statistics();
    s.record("GET /x", "1", Outcome.of(Verdict.SKIPPED));
    s.record("GET /x", "2", Outcome.of(Verdict.CANDIDATE_ERROR));
    s.record("GET /x", "3", Outcome.of(Verdict.NO_BASELINE));
    s.record("GET /x", "4", Outcome.compared(diffs(), null, 200));
    s.record("GET /x", "5", Outcome.compared(diffs(d("status", DifferenceType.STATUS)), null, 500));
    Statistics.RunResult r = s.result(NoiseModel.defaults());
    Statistics.EndpointResult x = r.endpoints().get(0);
    assertThat(x.exchanges()).isEqualTo(5);
    assertThat(x.attempted()).isEqualTo(4);
    assertThat(x.compared()).isEqualTo(2); // attempted - errors - noBaseline
    assertThat(x.matched()).isEqualTo(1);
    assertThat(x.discrepant()).isEqualTo(1);
    assertThat(x.serverErrors()).isEqualTo(1);
    assertThat(x.discrepancyRate()).isEqualTo(0.5);
    assertThat(x.errorRate()).isEqualTo(0.5); // (1 error + 1 server error) / 4 attempted
    assertThat(x.fields())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.field()).isEqualTo("status");
              assertThat(f.examples()).containsExactly("5");
              assertThat(f.real()).isTrue();
            });
    assertThat(new Statistics().result(NoiseModel.defaults()).discrepancyRate()).isZero();
  }

  @Test
  void aFieldThatDiffersAsOftenBetweenPrimaryAndSecondaryIsNoise() {
    Statistics s = new Statistics();
    Random r = new Random(3);
    for (int i = 0; i < 400; i++) {
      // $.timestamp differs in 30% of exchanges both ways, independently
      boolean cand = r.nextInt(10) < 3;
      boolean noise = r.nextInt(10) < 3;
      s.record(
          "GET /x",
          "e" + i,
          Outcome.compared(
              cand ? diffs(d("$.timestamp", DifferenceType.VALUE)) : diffs(),
              noise ? diffs(d("$.timestamp", DifferenceType.VALUE)) : diffs(),
              200));
    }
    Statistics.EndpointResult x = s.result(NoiseModel.defaults()).endpoints().get(0);
    assertThat(x.fields()).singleElement().satisfies(f -> assertThat(f.real()).isFalse());
    assertThat(x.discrepant()).isZero();
    assertThat(x.noise()).isGreaterThan(50);
  }

  @Test
  void aFieldThatDiffersOnlyAgainstTheCandidateIsReal() {
    Statistics s = new Statistics();
    Random r = new Random(4);
    for (int i = 0; i < 400; i++) {
      boolean price = r.nextInt(10) < 2;
      boolean ts = r.nextInt(10) < 3;
      List<Difference> cand = new ArrayList<>();
      if (price) {
        cand.add(d("$.price", DifferenceType.VALUE));
      }
      if (ts) {
        cand.add(d("$.timestamp", DifferenceType.VALUE));
      }
      boolean noiseTs = r.nextInt(10) < 3;
      s.record(
          "GET /x",
          "e" + i,
          Outcome.compared(
              diffs(cand.toArray(Difference[]::new)),
              noiseTs ? diffs(d("$.timestamp", DifferenceType.VALUE)) : diffs(),
              200));
    }
    Statistics.EndpointResult x = s.result(NoiseModel.defaults()).endpoints().get(0);
    assertThat(x.fields())
        .filteredOn(f -> f.field().equals("$.price"))
        .singleElement()
        .satisfies(f -> assertThat(f.real()).isTrue());
    assertThat(x.fields())
        .filteredOn(f -> f.field().equals("$.timestamp"))
        .singleElement()
        .satisfies(f -> assertThat(f.real()).isFalse());
    long priceExchanges =
        x.fields().stream()
            .filter(f -> f.field().equals("$.price"))
            .findFirst()
            .orElseThrow()
            .count();
    assertThat(x.discrepant())
        .isEqualTo(priceExchanges); // exactly the exchanges with a price difference
  }

  @Test
  void withoutEnoughNoiseSamplesNothingIsExcused() {
    NoiseModel m = NoiseModel.defaults();
    assertThat(m.isNoise(3, 10, 3, 10)).isFalse(); // 10 < 30 samples
    assertThat(m.isNoise(30, 100, 30, 100)).isTrue();
    assertThat(m.isNoise(60, 100, 30, 100)).isFalse(); // clearly above
    assertThat(m.isNoise(35, 100, 30, 100)).isTrue(); // within the intervals
    assertThat(m.isNoise(5, 100, 0, 100)).isFalse(); // no noise seen
  }

  @Test
  void exchangeLevelNoiseMakesNoiseOnlyVerdicts() {
    Outcome o =
        Outcome.compared(
            diffs(d("$.ts", DifferenceType.VALUE)), diffs(d("$.ts", DifferenceType.VALUE)), 200);
    assertThat(o.verdict()).isEqualTo(Verdict.NOISE_ONLY);
    Outcome mixed =
        Outcome.compared(
            diffs(d("$.ts", DifferenceType.VALUE), d("$.price", DifferenceType.VALUE)),
            diffs(d("$.ts", DifferenceType.VALUE)),
            200);
    assertThat(mixed.verdict()).isEqualTo(Verdict.DIFFERENT);
    assertThat(Outcome.compared(diffs(), null, 200).verdict()).isEqualTo(Verdict.MATCH);
  }

  @Test
  void collapsedEndpointsMergeTheirCounts() {
    Statistics s = of(events(9, 100));
    Statistics renamed = s.renameEndpoints(Map.of("GET /a/{id}", "GET /b"));
    assertThat(renamed.endpointNames()).isEqualTo(Set.of("GET /b", "POST /c"));
    Statistics.RunResult before = s.result(NoiseModel.defaults());
    Statistics.RunResult after = renamed.result(NoiseModel.defaults());
    assertThat(after.exchanges()).isEqualTo(before.exchanges());
    assertThat(after.compared()).isEqualTo(before.compared());
  }
}
