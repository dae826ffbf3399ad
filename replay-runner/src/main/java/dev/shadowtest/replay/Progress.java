package dev.shadowtest.replay;

/** Receives progress about twice a second during a replay (e.g. to draw a terminal line). */
@FunctionalInterface
public interface Progress {

  /**
   * @param done        exchanges finished (including skipped)
   * @param total       exchanges expected, or -1 when unknown
   * @param discrepant  exchanges with differences that are not noise at the exchange level so far
   * @param perSecond   finished exchanges per second since the start
   */
  void update(long done, long total, long discrepant, double perSecond);

  Progress NONE = (d, t, x, r) -> {};
}
