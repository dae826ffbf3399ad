package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.recorder.DropReason;
import dev.shadowtest.recorder.RecorderStats;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The recorder's counters: cheap to bump from any thread. */
public final class Counters {
  public final LongAdder proxied = new LongAdder();
  public final LongAdder recorded = new LongAdder();
  public final LongAdder filtered = new LongAdder();
  public final LongAdder upstreamErrors = new LongAdder();
  public final LongAdder refused = new LongAdder();

  /**
   * Requests sent to the upstream again because a kept-alive connection closed under them before
   * any answer (the upstream's idle timeout): the client got the answer of the next attempt.
   */
  public final LongAdder upstreamRetries = new LongAdder();

  /** Responses cut short because the client went away. */
  public final LongAdder clientAborts = new LongAdder();

  /** Responses cut short because the upstream closed, reset or timed out mid-body. */
  public final LongAdder upstreamCloses = new LongAdder();

  public final LongAdder mirrored = new LongAdder();
  public final LongAdder mirrorErrors = new LongAdder();

  /** Recorded bodies cut short because the capture memory budget was spent. */
  public final LongAdder bodiesCut = new LongAdder();

  /** Exchanges between the request's arrival and the end of the response to the client. */
  public final AtomicInteger inFlight = new AtomicInteger();

  /** WebSocket tunnels open (or being recorded): a stop waits for them to be handed over. */
  public final AtomicInteger tunnels = new AtomicInteger();

  /** Client connections open, served by a thread or parked idle. */
  public final AtomicInteger connections = new AtomicInteger();

  /** Client connections parked idle: kept alive without a thread. */
  public final AtomicInteger idleConnections = new AtomicInteger();

  /**
   * Failures of the listener itself: an accept that failed (out of file descriptors), no thread
   * to be had for a connection, a selector failure, an unexpected exception while serving.
   */
  public final LongAdder listenerErrors = new LongAdder();

  private final ConcurrentHashMap<String, LongAdder> dropped = new ConcurrentHashMap<>();

  /** Told of every recorded and dropped exchange. */
  public final ShadowListener listener;

  public Counters(ShadowListener listener) {
    this.listener = listener;
  }

  public void drop(DropReason reason) {
    dropped.computeIfAbsent(reason.label(), k -> new LongAdder()).increment();
    try {
      listener.dropped(reason.label());
    } catch (RuntimeException e) {
      // a listener never breaks the recorder
    }
  }

  /** Exchanges lost for this reason so far (what {@link #snapshot} shows under its label). */
  public long dropped(DropReason reason) {
    LongAdder n = dropped.get(reason.label());
    return n == null ? 0 : n.sum();
  }

  /** Counts an exchange written to the sink. */
  public void recorded(String exchangeId) {
    recorded.increment();
    try {
      listener.recorded(exchangeId);
    } catch (RuntimeException e) {
      // a listener never breaks the recorder
    }
  }

  /** {@code patternOverruns}: counted by the redactor, which owns the patterns. */
  public RecorderStats snapshot(long patternOverruns) {
    Map<String, Long> d = new TreeMap<>();
    dropped.forEach((k, v) -> d.put(k, v.sum()));
    return new RecorderStats(
        proxied.sum(),
        recorded.sum(),
        filtered.sum(),
        d,
        upstreamErrors.sum(),
        refused.sum(),
        clientAborts.sum(),
        upstreamCloses.sum(),
        mirrored.sum(),
        mirrorErrors.sum(),
        bodiesCut.sum(),
        patternOverruns);
  }
}
