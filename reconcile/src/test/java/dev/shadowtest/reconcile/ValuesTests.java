package dev.shadowtest.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ValuesTests {

  @Test
  void textKeysAreOrderedByCodePointAsUtf8BytesAre() {
    assertThat(Values.compareKey("B", "a")).isNegative();
    assertThat(Values.compareKey("a", "ab")).isNegative();
    // U+FF21 (one UTF-16 unit) sorts before U+1F600 (a surrogate pair) byte-wise; String.compareTo
    // says the opposite
    assertThat("\uFF21".compareTo("\uD83D\uDE00")).isPositive();
    assertThat(Values.compareKey("\uFF21", "\uD83D\uDE00")).isNegative();
  }

  @Test
  void numberKeysAreOrderedByValue() throws Exception {
    assertThat(Values.compareKeys(List.of(Values.plain(9)), List.of(Values.plain(10L))))
        .isNegative();
    assertThat(Values.compareKey(new BigDecimal("1.0"), new BigDecimal("1.00"))).isZero();
  }

  @Test
  void uuidsAreOrderedByTheirBytes() throws Exception {
    UUID low = UUID.fromString("00000000-0000-0000-0000-000000000001");
    UUID high = UUID.fromString("80000000-0000-0000-0000-000000000000");
    assertThat(low.compareTo(high)).isPositive(); // signed: the JDK's order is not the database's
    assertThat(Values.compareKey(Values.plain(low), Values.plain(high))).isNegative();
  }
}
