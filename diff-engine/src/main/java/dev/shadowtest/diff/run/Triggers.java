package dev.shadowtest.diff.run;

import dev.shadowtest.core.BadInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Evaluates rollback triggers, periodically, over sliding windows of a live run. The caller
 * owns time: it calls {@link #evaluate} every few seconds with the current instant and a way to
 * count a window ending then; the events that come back go to {@link TriggersFile} and {@link
 * TriggerActions}.
 *
 * <pre>{@code
 * Triggers triggers = Triggers.of(rules.triggers(), Triggers.Context.of(runDir, report));
 * // every 10 seconds:
 * for (TriggerEvent e : triggers.evaluate(clock.instant(), window -> counts.over(window))) {
 *   file.append(e);
 *   actions.offer(e);
 * }
 * }</pre>
 *
 * <p>Per trigger: it <b>fires</b> once when its metric has been above the threshold at every
 * evaluation since one at least {@code for} ago (with {@code for} 0, at the first evaluation
 * above); it then <b>clears</b> once when the metric has been at or under the threshold at every
 * evaluation for as long. An evaluation with not enough data (fewer than {@code minExchanges})
 * never fires and interrupts both streaks: it counts neither as above nor as under. Thread-safe.
 */
public final class Triggers {

  /**
   * Where the run that evaluates the triggers writes, for events to point at.
   *
   * @param runDirectory the run directory, or null
   * @param report       the report's path, or null
   */
  public record Context(String runDirectory, String report) {

    /** No run directory and no report. */
    public static Context none() {
      return new Context(null, null);
    }

    /** {@code runDirectory} and {@code report} (either may be null). */
    public static Context of(Path runDirectory, Path report) {
      return new Context(
          runDirectory == null ? null : runDirectory.toString(),
          report == null ? null : report.toString());
    }
  }

  /**
   * A trigger's state, for metrics.
   *
   * @param trigger     the trigger
   * @param firing      true between the event that fired it and the one that cleared it
   * @param value       the metric at the last evaluation, or null (not enough data, or none yet)
   * @param evaluatedAt the last evaluation, or null
   */
  public record Status(Trigger trigger, boolean firing, Double value, Instant evaluatedAt) {}

  private final List<State> states;
  private final Context context;

  private Triggers(List<Trigger> triggers, Context context) {
    Set<String> names = new HashSet<>();
    List<State> out = new ArrayList<>();
    for (Trigger t : triggers) {
      if (!names.add(t.name())) {
        throw new BadInputException(
            "two triggers named \""
                + t.name()
                + "\": give each its own name (name=... or name: in the rules)");
      }
      out.add(new State(t));
    }
    this.states = List.copyOf(out);
    this.context = Objects.requireNonNull(context, "context");
  }

  /**
   * Triggers evaluated with {@code context} in their events.
   *
   * @throws BadInputException when two triggers have the same name
   */
  public static Triggers of(List<Trigger> triggers, Context context) {
    return new Triggers(triggers, context);
  }

  /** The triggers, in the order given. */
  public List<Trigger> triggers() {
    return states.stream().map(s -> s.trigger).toList();
  }

  /**
   * One evaluation at {@code now}: for each trigger, the counts of its window ending now ({@code
   * facts} is asked once per distinct window), and the events of the triggers that fire or clear
   * now, in trigger order. An instant before the previous evaluation (a clock set back) restarts
   * the streaks rather than measuring a negative time.
   */
  public synchronized List<TriggerEvent> evaluate(
      Instant now, Function<Duration, WindowFacts> facts) {
    Objects.requireNonNull(now, "now");
    Map<Duration, WindowFacts> counted = new HashMap<>();
    List<TriggerEvent> events = new ArrayList<>();
    for (State s : states) {
      WindowFacts f =
          counted.computeIfAbsent(
              s.trigger.window(), w -> Objects.requireNonNull(facts.apply(w), "facts of a window"));
      TriggerEvent e = s.evaluate(now, f, context);
      if (e != null) {
        events.add(e);
      }
    }
    return events;
  }

  /**
   * Continues the triggers of a run that stopped (a restart of the live mirror): a trigger whose
   * last event in {@code last} (by trigger name, as {@link TriggersFile#lastEvents} reads them)
   * fired is firing again, so that it clears once rather than firing twice. Triggers without an
   * event, or whose last event cleared, are quiet; events of triggers no longer defined are
   * ignored. Call before the first evaluation.
   *
   * @return the names of the triggers that are firing again, in trigger order
   */
  public synchronized List<String> resume(Map<String, TriggerEvent> last) {
    List<String> firing = new ArrayList<>();
    for (State s : states) {
      TriggerEvent e = last.get(s.trigger.name());
      s.firing = e != null && e.kind() == TriggerEvent.Kind.FIRED;
      s.streakStart = null;
      if (s.firing) {
        firing.add(s.trigger.name());
      }
    }
    return firing;
  }

  /** Each trigger's state, in trigger order. */
  public synchronized List<Status> status() {
    return states.stream()
        .map(s -> new Status(s.trigger, s.firing, s.value, s.evaluatedAt))
        .toList();
  }

  /** One trigger's state machine. */
  private static final class State {
    final Trigger trigger;
    boolean firing;
    Double value;
    Instant evaluatedAt;

    /** The first evaluation of the current streak over (not firing) or under (firing). */
    Instant streakStart;

    State(Trigger trigger) {
      this.trigger = trigger;
    }

    TriggerEvent evaluate(Instant now, WindowFacts f, Context context) {
      if (evaluatedAt != null && now.isBefore(evaluatedAt)) {
        streakStart = null;
      }
      evaluatedAt = now;
      value = trigger.metric().valueOf(f, trigger.minExchanges());
      if (value == null) {
        streakStart = null;
        return null;
      }
      boolean over = value > trigger.threshold();
      if (over == firing) { // firing and still over, or quiet and still under: no streak
        streakStart = null;
        return null;
      }
      if (streakStart == null) {
        streakStart = now;
      }
      if (Duration.between(streakStart, now).compareTo(trigger.forDuration()) < 0) {
        return null;
      }
      firing = over;
      streakStart = null;
      return new TriggerEvent(
          firing ? TriggerEvent.Kind.FIRED : TriggerEvent.Kind.CLEARED,
          trigger.name(),
          trigger.metric(),
          value,
          trigger.threshold(),
          trigger.window(),
          trigger.forDuration(),
          now.minus(trigger.window()),
          now,
          now,
          f,
          context.runDirectory(),
          context.report());
    }
  }
}
