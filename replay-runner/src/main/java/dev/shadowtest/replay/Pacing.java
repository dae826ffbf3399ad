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
      if (!(perSecond > 0)) {
        throw new BadInputException("rate must be positive, got " + perSecond);
      }
    }
  }

  record Speed(double factor) implements Pacing {
    public Speed {
      if (!(factor > 0)) {
        throw new BadInputException("speed must be positive, got " + factor);
      }
    }
  }

  static Pacing asFastAsPossible() {
    return new AsFastAsPossible();
  }
}
