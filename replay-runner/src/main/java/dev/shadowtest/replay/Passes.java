package dev.shadowtest.replay;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.diff.run.Trigger;
import java.time.Duration;

/**
 * How many times the recordings are replayed, for soak runs: once (the default), {@code count}
 * whole passes ({@code --loop N}), or pass after pass until {@code duration} has passed ({@code
 * --duration 10m}; the pass under way when the time is up is cut there, and what was not sent is
 * not counted). The warm-up is sent once, before the first pass.
 *
 * <pre>{@code
 * config.withPasses(Passes.loop(3));                         // every exchange three times
 * config.withPasses(Passes.forDuration(Duration.ofMinutes(10)));
 * }</pre>
 *
 * <p>When a run can have more than one pass, every exchange id carries its pass: {@code e42#1},
 * {@code e42#2} (docs/run-format.md), so that results, samples, kept responses and merged shards
 * never mix two passes up. Shards are chosen by the recorded id, so a shard replays the same
 * exchanges in every pass.
 *
 * @param count passes to replay, at least 1; 0 with a duration (as many as fit)
 * @param duration how long to replay pass after pass, or null for {@code count} passes
 */
public record Passes(int count, Duration duration) {

  /** The most passes {@code --loop} takes. */
  public static final int MAX_LOOP = 1_000_000;

  /** The longest {@code --duration}. */
  public static final Duration MAX_DURATION = Duration.ofDays(30);

  public Passes {
    if (duration == null) {
      if (count < 1 || count > MAX_LOOP) {
        throw new BadInputException(
            "--loop must be between 1 and " + MAX_LOOP + " passes, got " + count);
      }
    } else {
      if (count != 0) {
        throw new BadInputException(
            "--loop and --duration contradict each other: --loop N replays N whole passes,"
                + " --duration D replays pass after pass until D has passed; give one of them");
      }
      if (duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.compareTo(MAX_DURATION) > 0) {
        throw new BadInputException(
            "--duration must be between 1s and "
                + MAX_DURATION.toDays()
                + " days, got "
                + Trigger.formatDuration(duration));
      }
    }
  }

  /** One pass: the recordings as they are, ids unchanged. */
  public static Passes once() {
    return new Passes(1, null);
  }

  /** {@code n} whole passes ({@code --loop n}). */
  public static Passes loop(int n) {
    return new Passes(n, null);
  }

  /** Pass after pass until {@code d} has passed ({@code --duration}). */
  public static Passes forDuration(Duration d) {
    return new Passes(0, d);
  }

  /** True when the run may have more than one pass: its exchange ids then carry the pass. */
  public boolean repeating() {
    return duration != null || count > 1;
  }

  /** True when pass number {@code pass} (1-based) is to be replayed, time permitting. */
  boolean includes(int pass) {
    return duration != null || pass <= count;
  }

  /** The id of a recorded exchange in pass {@code pass}: {@code id#pass} when repeating. */
  public String id(String recordedId, int pass) {
    return repeating() ? recordedId + "#" + pass : recordedId;
  }
}
