package dev.shadowtest.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.BadInputException;
import org.junit.jupiter.api.Test;

/** A rate or speed that would make a run wait for ages, or that is no number, is bad input. */
class PacingBoundsTests {

  @Test
  void ratesAndSpeedsOutsideTheirBoundsAreRefused() {
    for (double bad :
        new double[] {0, -1, 1e-300, 0.0009, Double.NaN, Double.POSITIVE_INFINITY, 1e8}) {
      assertThatThrownBy(() -> new Pacing.Rate(bad))
          .isInstanceOf(BadInputException.class)
          .hasMessageStartingWith("rate must be between 0.001");
    }
    for (double bad : new double[] {0, 1e-300, Double.NaN, Double.POSITIVE_INFINITY, 1e7}) {
      assertThatThrownBy(() -> new Pacing.Speed(bad))
          .isInstanceOf(BadInputException.class)
          .hasMessageStartingWith("speed must be between 0.001");
    }
    assertThat(new Pacing.Rate(0.001).perSecond()).isEqualTo(0.001);
    assertThat(new Pacing.Rate(200).perSecond()).isEqualTo(200);
    assertThat(new Pacing.Speed(0.5).factor()).isEqualTo(0.5);
  }
}
