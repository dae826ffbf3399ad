package dev.shadowtest.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.reconcile.ReconcileSpec.Column;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
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

  static Column column(BigDecimal tolerance, ChronoUnit precision) {
    return new Column("c", null, false, tolerance, false, false, precision, false, false);
  }

  static boolean same(Object a, Object b, Column c) throws Exception {
    return Values.same(Values.ruled(Values.plain(a), c), Values.ruled(Values.plain(b), c), c);
  }

  @Test
  void aNumberAndATextOfItAreComparedAsNumbers() throws Exception {
    assertThat(same("10.50", new BigDecimal("10.5"), column(null, null))).isTrue();
    assertThat(same(" 10.5", 10.5d, column(null, null))).isTrue();
    assertThat(same("10.52", new BigDecimal("10.5"), column(new BigDecimal("0.01"), null)))
        .isFalse();
    assertThat(same("10.51", new BigDecimal("10.5"), column(new BigDecimal("0.01"), null)))
        .isTrue();
    assertThat(same("n/a", new BigDecimal("10.5"), column(null, null))).isFalse();
  }

  @Test
  void timestampsAreTruncatedToThePrecision() throws Exception {
    Timestamp a = Timestamp.valueOf("2026-01-01 12:00:00.1239");
    Timestamp b = Timestamp.valueOf("2026-01-01 12:00:00.1231");
    assertThat(same(a, b, column(null, ChronoUnit.MILLIS))).isTrue();
    assertThat(same(a, b, column(null, ChronoUnit.MICROS))).isFalse();
    assertThat(same(a, b, column(null, null))).isFalse();
    OffsetDateTime utc = OffsetDateTime.of(2026, 1, 1, 12, 0, 0, 5_000_000, ZoneOffset.UTC);
    OffsetDateTime paris = OffsetDateTime.of(2026, 1, 1, 13, 0, 0, 0, ZoneOffset.ofHours(1));
    assertThat(same(utc, paris, column(null, ChronoUnit.SECONDS))).isTrue();
    assertThat(same(utc, paris, column(null, null))).isFalse();
  }

  @Test
  void moneyIsReadInTheFormsLcMonetaryWrites() {
    assertThat(Values.money("$987,654.32")).isEqualByComparingTo("987654.32");
    assertThat(Values.money("-$1,234.50")).isEqualByComparingTo("-1234.5");
    assertThat(Values.money("($1.00)")).isEqualByComparingTo("-1");
    assertThat(Values.money("987.654,32 €")).isEqualByComparingTo("987654.32");
    assertThat(Values.money("1.234.567,8 €")).isEqualByComparingTo("1234567.8");
    assertThat(Values.money("¥1,000")).isEqualByComparingTo("1000");
    assertThat(Values.money("¥1,000,000")).isEqualByComparingTo("1000000");
    assertThat(Values.money("$0.05")).isEqualByComparingTo("0.05");
    assertThat(Values.money("$12")).isEqualByComparingTo("12");
    assertThat(Values.money("1 234,56 руб.")).isEqualByComparingTo("1234.56");
    assertThatThrownBy(() -> Values.money("n/a")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRowsSizeCountsItsTexts() {
    SideStream.Row small = new SideStream.Row(List.of(new BigDecimal(1)), new Object[] {"a"});
    SideStream.Row large =
        new SideStream.Row(List.of(new BigDecimal(1)), new Object[] {"ab".repeat(65_536)});
    assertThat(Prefetch.size(small)).isLessThan(256);
    assertThat(Prefetch.size(large)).isGreaterThan(2 * 131_072);
    // a batch of such rows ends long before 1,000 of them
    assertThat(Prefetch.BATCH_BYTES / Prefetch.size(large)).isLessThan(Prefetch.BATCH / 10);
  }

  @Test
  void ignoreCaseFoldsSharpSAsItsCapitals() {
    Column c = new Column("city", null, false, null, true, true, null, false, false);
    assertThat(Values.ruled("Straße", c)).isEqualTo(Values.ruled("STRASSE", c));
    assertThat(Values.ruled("Abc", c)).isEqualTo(Values.ruled("aBC", c));
    assertThat(Values.ruled("Abc", c)).isNotEqualTo(Values.ruled("Abd", c));
  }
}
