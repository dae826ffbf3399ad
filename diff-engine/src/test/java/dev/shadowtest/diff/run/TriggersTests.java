package dev.shadowtest.diff.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.BadInputException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The triggers' state machine, driven by a test clock that steps every 10 seconds over simulated
 * traffic: no test sleeps.
 */
class TriggersTests {

  static final Instant T0 = Instant.parse("2026-11-24T02:00:00Z");
  static final Duration STEP = Duration.ofSeconds(10);

  /** Traffic in 10-second buckets; a window's facts add up the buckets that end inside it. */
  static final class Traffic {
    private final TreeMap<Instant, WindowFacts> buckets = new TreeMap<>();

    void add(Instant end, WindowFacts f) {
      buckets.put(end, f);
    }

    WindowFacts over(Instant now, Duration window) {
      long attempted = 0;
      long compared = 0;
      long discrepant = 0;
      long errors = 0;
      long serverErrors = 0;
      long samples = 0;
      Double legacy = null;
      Double candidate = null;
      for (Map.Entry<Instant, WindowFacts> e :
          buckets.subMap(now.minus(window), false, now, true).entrySet()) {
        WindowFacts f = e.getValue();
        attempted += f.attempted();
        compared += f.compared();
        discrepant += f.discrepant();
        errors += f.errors();
        serverErrors += f.serverErrors();
        samples += f.latencySamples();
        // a stand-in for a percentile over the window: the buckets' largest p99
        legacy = max(legacy, f.legacyP99Millis());
        candidate = max(candidate, f.candidateP99Millis());
      }
      return new WindowFacts(
          attempted, compared, discrepant, errors, serverErrors, legacy, candidate, samples);
    }

    private static Double max(Double a, Double b) {
      if (a == null || b == null) {
        return a == null ? b : a;
      }
      return Math.max(a, b);
    }
  }

  /** 100 exchanges per 10 seconds, {@code errors} of them unanswered. */
  static WindowFacts bucket(long errors) {
    return new WindowFacts(100, 100 - errors, 0, errors, 0, null, null, 0);
  }

  /** What the run saw: every event, and the first evaluation over the threshold. */
  record Run(List<TriggerEvent> events, Instant firstOver) {}

  @Test
  void anErrorRateAbove05PercentForFiveMinutesFiresOnceAndRecoveryClearsOnce() {
    Triggers triggers =
        Triggers.of(List.of(Trigger.parse("errorRate>0.5%,for=5m")), Triggers.Context.none());
    Traffic traffic = new Traffic();
    List<TriggerEvent> events = new ArrayList<>();
    Instant firstOver = null;
    Instant firstUnderAfterFire = null;
    // 0% errors, then 5% from minute 3 to minute 12, then 0% again; 25 minutes in all
    for (Instant now = T0.plus(STEP); !now.isAfter(T0.plusSeconds(25 * 60)); now = now.plus(STEP)) {
      boolean failing =
          now.isAfter(T0.plusSeconds(3 * 60)) && !now.isAfter(T0.plusSeconds(12 * 60));
      traffic.add(now, bucket(failing ? 5 : 0));
      Instant at = now;
      List<TriggerEvent> now_ = triggers.evaluate(now, w -> traffic.over(at, w));
      events.addAll(now_);
      Triggers.Status s = triggers.status().get(0);
      if (firstOver == null && s.value() != null && s.value() > 0.005) {
        firstOver = now;
      }
      if (s.firing() && firstUnderAfterFire == null && s.value() <= 0.005) {
        firstUnderAfterFire = now;
      }
    }

    assertThat(events)
        .extracting(TriggerEvent::kind)
        .containsExactly(TriggerEvent.Kind.FIRED, TriggerEvent.Kind.CLEARED);
    // over from 3:30 (three 5% buckets of the 21 seen so far: 0.71%); fired 5 minutes later, not
    // before
    assertThat(firstOver).isEqualTo(T0.plusSeconds(3 * 60 + 30));
    TriggerEvent fired = events.get(0);
    assertThat(fired.at()).isEqualTo(firstOver.plus(Duration.ofMinutes(5)));
    assertThat(fired.value()).isEqualTo(150 / 3000.0);
    assertThat(fired.threshold()).isEqualTo(0.005);
    assertThat(fired.windowStart()).isEqualTo(fired.at().minus(Duration.ofMinutes(5)));
    assertThat(fired.windowEnd()).isEqualTo(fired.at());
    assertThat(fired.facts().attempted()).isEqualTo(3000);
    assertThat(fired.facts().errors()).isEqualTo(150);
    // at or under from 16:30 (three 5% buckets left in the window: exactly 0.5%); cleared 5
    // minutes later
    assertThat(firstUnderAfterFire).isEqualTo(T0.plusSeconds(16 * 60 + 30));
    TriggerEvent cleared = events.get(1);
    assertThat(cleared.at()).isEqualTo(firstUnderAfterFire.plus(Duration.ofMinutes(5)));
    assertThat(cleared.comparison()).isEqualTo("0.00% <= 0.50%");
    assertThat(triggers.status().get(0).firing()).isFalse();
  }

  @Test
  void tooLittleTrafficNeverFires() {
    Triggers triggers =
        Triggers.of(List.of(Trigger.parse("errorRate>0.5%,for=5m")), Triggers.Context.none());
    Traffic traffic = new Traffic();
    List<TriggerEvent> events = new ArrayList<>();
    for (Instant now = T0.plus(STEP); !now.isAfter(T0.plusSeconds(30 * 60)); now = now.plus(STEP)) {
      traffic.add(now, new WindowFacts(1, 0, 0, 1, 0, null, null, 0)); // every exchange fails
      Instant at = now;
      events.addAll(triggers.evaluate(now, w -> traffic.over(at, w)));
    }
    assertThat(events).isEmpty();
    Triggers.Status s = triggers.status().get(0);
    assertThat(s.firing()).isFalse();
    assertThat(s.value()).as("30 exchanges in 5 minutes: not enough data").isNull();
    assertThat(s.evaluatedAt()).isEqualTo(T0.plusSeconds(30 * 60));
  }

  @Test
  void aDiscrepancyTriggerWithForZeroFiresAtTheFirstEvaluationOverAndClearsAtTheFirstUnder() {
    Triggers triggers =
        Triggers.of(List.of(Trigger.parse("discrepancy>1%")), Triggers.Context.none());
    Instant t1 = T0.plus(STEP);
    Instant t2 = t1.plus(STEP);
    Instant t3 = t2.plus(STEP);
    assertThat(triggers.evaluate(T0, w -> compared(200, 2))).isEmpty(); // exactly 1%: not over
    List<TriggerEvent> fired = triggers.evaluate(t1, w -> compared(200, 3));
    assertThat(fired)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(TriggerEvent.Kind.FIRED);
              assertThat(e.at()).isEqualTo(t1);
              assertThat(e.value()).isEqualTo(0.015);
              assertThat(e.window()).isEqualTo(Duration.ofMinutes(5));
              assertThat(e.comparison()).isEqualTo("1.50% > 1.00%");
            });
    assertThat(triggers.evaluate(t2, w -> compared(200, 4))).isEmpty(); // still firing
    assertThat(triggers.evaluate(t3, w -> compared(200, 1)))
        .extracting(TriggerEvent::kind)
        .containsExactly(TriggerEvent.Kind.CLEARED);
  }

  static WindowFacts compared(long compared, long discrepant) {
    return new WindowFacts(compared, compared, discrepant, 0, 0, null, null, 0);
  }

  @Test
  void anEvaluationWithoutEnoughDataInterruptsTheStreak() {
    Triggers triggers =
        Triggers.of(List.of(Trigger.parse("discrepancy>1%,for=1m")), Triggers.Context.none());
    Instant t = T0;
    for (int i = 0; i < 5; i++) { // over for 40 seconds
      assertThat(triggers.evaluate(t, w -> compared(200, 10))).isEmpty();
      t = t.plus(STEP);
    }
    assertThat(triggers.evaluate(t, w -> compared(50, 10))).isEmpty(); // not enough data
    t = t.plus(STEP);
    Instant restart = t;
    List<TriggerEvent> events = new ArrayList<>();
    while (events.isEmpty()) {
      events.addAll(triggers.evaluate(t, w -> compared(200, 10)));
      t = t.plus(STEP);
    }
    assertThat(events.get(0).at()).isEqualTo(restart.plus(Duration.ofMinutes(1)));
  }

  @Test
  void theLatencyRatioComparesTheCandidatesP99WithTheLegacyP99() {
    Triggers triggers =
        Triggers.of(List.of(Trigger.parse("latencyRatio(p99)>2")), Triggers.Context.none());
    assertThat(triggers.evaluate(T0, w -> latency(29, 10.0, 50.0)))
        .as("29 latency samples: not enough data")
        .isEmpty();
    assertThat(triggers.evaluate(T0.plus(STEP), w -> latency(30, 10.0, 20.0)))
        .as("twice the legacy p99 is not above 2")
        .isEmpty();
    assertThat(triggers.evaluate(T0.plus(STEP.multipliedBy(2)), w -> latency(30, 10.0, 25.0)))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.value()).isEqualTo(2.5);
              assertThat(e.comparison()).isEqualTo("2.50x > 2.00x");
            });
    assertThat(triggers.status().get(0).value()).isEqualTo(2.5);
  }

  static WindowFacts latency(long samples, Double legacy, Double candidate) {
    return new WindowFacts(samples, samples, 0, 0, 0, legacy, candidate, samples);
  }

  @Test
  void eachWindowIsCountedOnceAndEventsCarryTheRunsContext() {
    Triggers triggers =
        Triggers.of(
            List.of(
                Trigger.parse("discrepancy>1%,window=5m"),
                Trigger.parse("errorRate>0.5%,window=5m")),
            new Triggers.Context("/runs/live", "/runs/live/report.html"));
    List<Duration> asked = new ArrayList<>();
    List<TriggerEvent> events =
        triggers.evaluate(
            T0,
            w -> {
              asked.add(w);
              return new WindowFacts(200, 190, 10, 10, 0, null, null, 0);
            });
    assertThat(asked).containsExactly(Duration.ofMinutes(5));
    assertThat(events)
        .extracting(TriggerEvent::trigger)
        .containsExactly("discrepancy", "errorRate");
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.runDirectory()).isEqualTo("/runs/live");
              assertThat(e.report()).isEqualTo("/runs/live/report.html");
            });
  }

  @Test
  void aClockSetBackRestartsTheStreakAtTheEarlierInstant() {
    Triggers triggers =
        Triggers.of(List.of(Trigger.parse("discrepancy>1%,for=1m")), Triggers.Context.none());
    Instant back = T0.minusSeconds(3600);
    assertThat(triggers.evaluate(T0, w -> compared(200, 10))).isEmpty();
    assertThat(triggers.evaluate(back, w -> compared(200, 10))).isEmpty();
    assertThat(triggers.evaluate(back.plusSeconds(50), w -> compared(200, 10))).isEmpty();
    assertThat(triggers.evaluate(back.plusSeconds(60), w -> compared(200, 10)))
        .as("a minute over since the clock was set back, not an hour of negative time")
        .extracting(TriggerEvent::at)
        .containsExactly(back.plusSeconds(60));
  }

  @Test
  void twoTriggersWithOneNameAreRefused() {
    assertThatThrownBy(
            () ->
                Triggers.of(
                    List.of(Trigger.parse("errorRate>1%"), Trigger.parse("errorRate>2%,for=5m")),
                    Triggers.Context.none()))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "two triggers named \"errorRate\": give each its own name (name=... or name: in the"
                + " rules)");
  }
}
