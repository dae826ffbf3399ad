package dev.shadowtest.core.internal;

/**
 * A {@link CharSequence} that lets a regular expression read it only so many times: every
 * {@link #charAt} spends one step, and past the budget it throws {@link OverBudget}. A pattern that
 * backtracks catastrophically ({@code (a+)+$} on {@code "aaaa…!"}) reads the same characters over
 * and over, so bounding the reads bounds the time a match can take, whatever the pattern.
 *
 * <pre>{@code
 * try {
 *   String out = pattern.matcher(BoundedChars.of(text)).replaceAll("x");
 * } catch (BoundedChars.OverBudget e) {
 *   // the pattern could not finish in time on this text
 * }
 * }</pre>
 */
public final class BoundedChars implements CharSequence {

  /** Steps a pattern may take per character of its input: ample for any pattern that does not backtrack. */
  public static final int STEPS_PER_CHAR = 100;

  /** Steps every input gets at least, so short values never trip the bound. */
  public static final long MIN_STEPS = 1_000_000;

  /** The budget was spent: the match was abandoned. Unchecked; carries no stack trace (it is expected). */
  public static final class OverBudget extends RuntimeException {
    OverBudget(long steps) {
      super("a pattern read its input more than " + steps + " times", null, false, false);
    }
  }

  private final String text;
  private final long budget;
  private long remaining;

  private BoundedChars(String text, long budget) {
    this.text = text;
    this.budget = budget;
    this.remaining = budget;
  }

  /** {@code text} with a budget of {@link #STEPS_PER_CHAR} steps per character, at least {@link #MIN_STEPS}. */
  public static BoundedChars of(String text) {
    return new BoundedChars(text, Math.max(MIN_STEPS, (long) STEPS_PER_CHAR * text.length()));
  }

  /** {@code text} with an explicit budget of steps. */
  public static BoundedChars of(String text, long steps) {
    return new BoundedChars(text, steps);
  }

  @Override
  public char charAt(int index) {
    if (--remaining < 0) {
      throw new OverBudget(budget);
    }
    return text.charAt(index);
  }

  @Override
  public int length() {
    return text.length();
  }

  /** The plain characters (a matcher takes sub-sequences only to copy them out). */
  @Override
  public CharSequence subSequence(int start, int end) {
    return text.subSequence(start, end);
  }

  @Override
  public String toString() {
    return text;
  }
}
