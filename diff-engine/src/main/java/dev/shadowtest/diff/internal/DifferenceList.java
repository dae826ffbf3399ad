package dev.shadowtest.diff.internal;

import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import java.util.ArrayList;
import java.util.Collection;

/**
 * The differences of one comparison, at most {@code cap} of them: a body with 200,000 differing
 * keys costs {@code cap} entries, and the rest is counted. {@link #finish()} appends one
 * {@link #MORE} difference saying how many were left out; it is never noise, so such an exchange
 * always counts as discrepant.
 */
public final class DifferenceList extends ArrayList<Difference> {

  /** The field of the difference that stands for those left out. */
  public static final String MORE = "(more differences)";

  private final int cap;
  private long omitted;

  public DifferenceList(int cap) {
    this.cap = cap;
  }

  @Override
  public boolean add(Difference d) {
    if (size() >= cap) {
      omitted++;
      return true;
    }
    return super.add(d);
  }

  @Override
  public boolean addAll(Collection<? extends Difference> c) {
    for (Difference d : c) {
      add(d);
    }
    return !c.isEmpty();
  }

  public long omitted() {
    return omitted;
  }

  /** This list with the count of what was left out as a last difference (when anything was). */
  public DifferenceList finish() {
    if (omitted > 0) {
      super.add(
          new Difference(
              MORE,
              MORE,
              DifferenceType.BODY,
              null,
              omitted + " more difference(s) not listed (at most " + cap + " per exchange)"));
    }
    return this;
  }
}
