package dev.shadowtest.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InstantsTests {

  @Test
  void formatAndParseAgreeWithTheJdkOnRandomInstants() {
    Random r = new Random(11);
    for (int i = 0; i < 200_000; i++) {
      long seconds = r.nextLong() % 400_000_000_000L; // years about -10700 to 14600
      int nanos =
          switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> r.nextInt(1000) * 1_000_000;
            case 2 -> r.nextInt(1_000_000) * 1_000;
            default -> r.nextInt(1_000_000_000);
          };
      Instant t = Instant.ofEpochSecond(seconds, nanos);
      String text = t.toString();
      assertThat(Instants.format(t)).isEqualTo(text);
      assertThat(Instants.parse(text)).isEqualTo(t);
    }
  }

  @Test
  void otherFormsAndBadDatesFallBackToTheJdk() {
    assertThat(Instants.parse("2026-11-24T10:00:01.1Z"))
        .isEqualTo(Instant.parse("2026-11-24T10:00:01.1Z"));
    assertThat(Instants.parse("2026-11-24T11:00:01+01:00"))
        .isEqualTo(Instant.parse("2026-11-24T10:00:01Z"));
    assertThat(Instants.parse("2024-02-29T00:00:00Z"))
        .isEqualTo(Instant.parse("2024-02-29T00:00:00Z"));
    assertThatThrownBy(() -> Instants.parse("2026-02-30T00:00:00Z"))
        .isInstanceOf(DateTimeParseException.class);
    assertThatThrownBy(() -> Instants.parse("2026-11-24T25:00:00Z"))
        .isInstanceOf(DateTimeParseException.class);
    assertThatThrownBy(() -> Instants.parse("2026-11-24Tab:00:00Z"))
        .isInstanceOf(DateTimeParseException.class);
  }
}
