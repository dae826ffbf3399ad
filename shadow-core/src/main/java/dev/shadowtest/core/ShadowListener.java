package dev.shadowtest.core;

/**
 * Events of a replay, of the recorder and of its live mirror, for progress lines, metrics and
 * logs: one interface for all of them (OkHttp's {@code EventListener} is the model), every method
 * a no-op by default, so a listener overrides what it needs. Called on Shadow's own threads,
 * often concurrently: implementations are quick, thread-safe, and never throw (what one throws is
 * ignored). Counters at one moment are a separate value ({@code Recorder.stats()}, a replay's
 * result).
 *
 * <pre>{@code
 * ShadowListener metrics = new ShadowListener() {
 *   public void dropped(String reason) { registry.counter("shadow.dropped", "reason", reason).increment(); }
 * };
 * Recorder.start(config, metrics);
 * }</pre>
 */
public interface ShadowListener {

  /** Listens to nothing. */
  ShadowListener NONE = new ShadowListener() {};

  /**
   * A replay's progress, about twice a second and once at the end.
   *
   * @param done       exchanges finished (including skipped)
   * @param total      exchanges expected, or -1 when unknown
   * @param discrepant exchanges with differences that are not noise at the exchange level so far
   * @param perSecond  finished exchanges per second since the start
   */
  default void progress(long done, long total, long discrepant, double perSecond) {}

  /**
   * An exchange was judged by a replay or the live mirror: its provisional verdict ({@code
   * MATCH}, {@code DIFFERENT}, ... as in results lines; noise is judged over the whole run).
   */
  default void judged(String exchangeId, String endpoint, String verdict) {}

  /** The recorder wrote an exchange to its sink. */
  default void recorded(String exchangeId) {}

  /**
   * The recorder lost a captured exchange (or a mirror copy) for {@code reason}, one of the labels
   * its stats count drops by ({@code queue-full}, {@code write-error}, ...).
   */
  default void dropped(String reason) {}
}
