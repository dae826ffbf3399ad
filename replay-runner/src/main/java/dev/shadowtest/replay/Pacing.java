package dev.shadowtest.replay;

import dev.shadowtest.core.BadInputException;

/**
 * When requests are sent.
 *
 * <ul>
 *   <li>{@link AsFastAsPossible}: limited only by the concurrency (the default);
 *   <li>{@link Rate}: an open model at a constant arrival rate; requests that cannot start on
 *       time (all connections busy) are sent as soon as possible and counted as late, never
 *       silently delayed;
 *   <li>{@link Speed}: the recording's own timing, scaled ({@code 2} = twice as fast).
 * </ul>
 */
public sealed interface Pacing permits Pacing.AsFastAsPossible, Pacing.Rate, Pacing.Speed {

  record AsFastAsPossible() implements Pacing {}

  record Rate(double perSecond) implements Pacing {
    public Rate {
      if (!(perSecond >= MIN && perSecond <= MAX_RATE)) {
        throw new BadInputException(
            "rate must be between "
                + MIN
                + " (one request every 1,000 s) and "
                + (long) MAX_RATE
                + " requests per second, got "
                + perSecond);
      }
    }
  }

  record Speed(double factor) implements Pacing {
    public Speed {
      if (!(factor >= MIN && factor <= MAX_SPEED)) {
        throw new BadInputException(
            "speed must be between " + MIN + " and " + (long) MAX_SPEED + ", got " + factor);
      }
    }
  }

  /** The slowest rate and speed: below, a run would wait for ages (1e-300 waits forever). */
  double MIN = 0.001;

  /** The fastest rate: beyond, it is as fast as possible (an interval under 0.1 µs). */
  double MAX_RATE = 10_000_000;

  /** The fastest speed. */
  double MAX_SPEED = 1_000_000;

  static Pacing asFastAsPossible() {
    return new AsFastAsPossible();
  }
}
