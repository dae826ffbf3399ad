package dev.shadowtest.diff;

import dev.shadowtest.core.BadInputException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Objects;

/**
 * How far apart two numbers may be and still count as equal: absolute ({@code 0.01}) or relative
 * to the expected value ({@code "0.5%"}). Zero means exact ({@link BigDecimal#compareTo}).
 */
public record Tolerance(BigDecimal amount, boolean relative) {

  public static final Tolerance EXACT = new Tolerance(BigDecimal.ZERO, false);

  public Tolerance {
    Objects.requireNonNull(amount, "amount");
    if (amount.signum() < 0) {
      throw new BadInputException("tolerance must not be negative: " + amount);
    }
    amount = amount.signum() == 0 ? BigDecimal.ZERO : amount.stripTrailingZeros(); // 0.0 equals 0
  }

  /**
   * Parses {@code 0.01} (absolute) or {@code 0.5%} (relative).
   *
   * @throws dev.shadowtest.core.BadInputException for anything else
   */
  public static Tolerance parse(String text) {
    String t = text.strip();
    boolean relative = t.endsWith("%");
    String number = relative ? t.substring(0, t.length() - 1).strip() : t;
    BigDecimal amount;
    try {
      amount = new BigDecimal(number);
    } catch (NumberFormatException e) {
      throw new BadInputException(
          "bad tolerance \"" + text + "\": expected a number like 0.01 or a percentage like 0.5%");
    }
    if (amount.signum() < 0) {
      throw new BadInputException("bad tolerance \"" + text + "\": must not be negative");
    }
    return new Tolerance(relative ? amount.movePointLeft(2) : amount, relative);
  }

  /** True when {@code actual} is within this tolerance of {@code expected}. */
  public boolean accepts(BigDecimal expected, BigDecimal actual) {
    int cmp = expected.compareTo(actual);
    if (cmp == 0) {
      return true;
    }
    if (amount.signum() == 0) {
      return false;
    }
    // Numbers whose magnitudes are far apart (1 vs 1e300000000) differ by more than any sane
    // tolerance; subtracting them would build a gigantic integer.
    long me = (long) expected.precision() - expected.scale();
    long ma = (long) actual.precision() - actual.scale();
    long mt = (long) amount.precision() - amount.scale();
    if (Math.abs(me - ma) > 2 && Math.max(me, ma) > mt + 2
        || Math.abs(me) > 10_000
        || Math.abs(ma) > 10_000) {
      return false;
    }
    BigDecimal delta = expected.subtract(actual).abs();
    BigDecimal allowed = relative ? expected.abs().multiply(amount, MathContext.DECIMAL64) : amount;
    return delta.compareTo(allowed) <= 0;
  }

  @Override
  public String toString() {
    return relative
        ? amount.movePointRight(2).stripTrailingZeros().toPlainString() + "%"
        : amount.toPlainString();
  }
}
