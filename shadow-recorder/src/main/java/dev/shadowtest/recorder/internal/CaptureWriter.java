package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.ExchangeSink;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.core.UnwritableExchangeException;
import dev.shadowtest.recorder.DropReason;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Takes captured exchanges off the live path: {@link #offer} never blocks; a backlog (captured,
 * not yet written) over its bound in exchanges or in bytes drops and counts. Encoder threads take
 * batches in capture order, build, redact and encode them (for a recording file: JSON lines
 * compressed into one gzip member per batch, so compression runs on every encoder at once), and
 * one writer thread appends the batches in the order they were taken: <b>a recording holds its
 * exchanges in the order their responses ended</b>, as with one thread. Each batch reaches the
 * operating system as soon as it is written (a crash loses at most what was not yet encoded); an
 * encoder that finds only a few captures waiting lingers up to {@link #LINGER_NANOS} to take more
 * (until {@link #LINGER_BELOW} are there).
 *
 * <p>When the encoders fall behind (more than {@link #HELP_ABOVE} exchanges wait untaken), the
 * connection threads {@link #help} between two requests: after a response has been sent in full,
 * a connection thread encodes one small batch before it reads its connection's next request.
 * Recording then costs the proxy throughput at saturation instead of losing captures; nothing of a
 * response ever waits for it, and a disk that hangs only fills the backlog (the writer thread
 * alone writes).
 */
public final class CaptureWriter implements AutoCloseable {

  /**
   * A capture waiting for the writer: built, redacted and written there, never on the live path.
   * {@code bytes}: what it holds in memory, roughly (kept bodies, headers), for the backlog bound.
   * {@code parts}: a proxied exchange as captured, which a {@link CaptureLine} may write without
   * building it (null for the others: {@code build} makes them).
   */
  public record Pending(
      Supplier<Exchange> build, Runnable release, long bytes, CaptureParts parts) {

    /** A capture that only {@code build} can make. */
    public Pending(Supplier<Exchange> build, Runnable release, long bytes) {
      this(build, release, bytes, null);
    }

    /** A proxied exchange, built from {@code parts} when it takes the model path. */
    public Pending(CaptureParts parts, Runnable release, long bytes) {
      this(parts::exchange, release, bytes, parts);
    }
  }

  /** Where batches go: recording files (encoded bytes) or any other sink (exchanges). */
  private final FileSink files;

  private final ExchangeSink sink;
  private final BlockingQueue<Pending> queue;
  private final int maxExchanges;
  private final long maxBytes;
  private final AtomicInteger backlog = new AtomicInteger();
  private final AtomicLong backlogBytes = new AtomicLong();

  /**
   * Of the backlog, the exchanges taken in batches and not yet written: the rest wait untaken.
   * Counted per batch, not per exchange, so that the live path pays nothing for it.
   */
  private final AtomicInteger inBatches = new AtomicInteger();

  private final Counters counters;
  private final UnaryOperator<Exchange> process;
  private final CaptureLine direct;
  private final int gzipLevel;
  private final List<Thread> encoders = new ArrayList<>();

  // taking batches: one encoder at a time, which numbers them; a helper only when it is free
  private final ReentrantLock takeLock = new ReentrantLock();
  private long nextTaken;
  private long handedOut;

  // writing batches in their order, on the writer thread
  private final Object orderLock = new Object();
  private final Map<Long, Batch> ready = new TreeMap<>();
  private long nextWritten;
  private final Thread writer;

  // encoders lent to connection threads that help; as many as there are encoder threads
  private final ConcurrentLinkedQueue<Encoder> helpers = new ConcurrentLinkedQueue<>();
  private final AtomicInteger helping = new AtomicInteger();

  private volatile boolean ending;
  private volatile boolean closing;

  /** Exchanges per batch at most; a batch is also closed at {@link #BATCH_BYTES}. */
  static final int BATCH_EXCHANGES = 256;

  static final long BATCH_BYTES = 1 << 20;

  /** Connection threads help when more exchanges than this wait. */
  static final int HELP_ABOVE = 64;

  /** Exchanges a connection thread encodes when it helps (about 0.1 ms of work each). */
  static final int HELP_BATCH = 4;

  static final long HELP_BYTES = 256 << 10;

  /**
   * An encoder that finds fewer exchanges waiting than this lingers up to {@link #LINGER_NANOS}
   * before it takes them, until this many wait: a batch per exchange cost about 3 µs of wake-ups,
   * writes and gzip members each, and a gzip member of one exchange compresses worst. Below
   * {@link #HELP_ABOVE}: a lingering encoder takes its batch before connection threads would help.
   */
  static final int LINGER_BELOW = 32;

  /**
   * How long an encoder lingers at most: under light load, a batch holds what came in this long
   * (a recording written by a recorder that crashes loses what it holds, as it loses what waits).
   */
  static final long LINGER_NANOS = 20_000_000;

  private final long lingerNanos;

  /**
   * The encoder that lingers, if one does: an offer wakes it once its batch would hold {@link
   * #LINGER_BELOW} (the one it took first included).
   */
  private volatile Thread lingering;

  /** True while an encoder lingers for more captures. */
  boolean lingering() {
    return lingering != null;
  }

  /**
   * An exchange holding more than this is taken alone and written by the writer thread straight
   * into the file, streamed through gzip: no in-memory copy of its line (a 10 MiB body in a small
   * heap).
   */
  static final long LARGE_BYTES = 1 << 20;

  /**
   * @param files         recording files, or null to write to {@code sink}
   * @param sink          where exchanges go without {@code files}
   * @param maxExchanges  exchanges captured and not yet written at most
   * @param maxBytes      bytes they hold at most ({@link Pending#bytes()})
   * @param threads       encoder threads
   * @param process       turns a raw exchange into what is written (redaction), on an encoder
   * @param direct        writes the lines of proxied exchanges into recording files without
   *     building them, exactly as {@code process} and the model would; null for the model always
   */
  public CaptureWriter(
      FileSink files,
      ExchangeSink sink,
      int maxExchanges,
      long maxBytes,
      int threads,
      Counters counters,
      UnaryOperator<Exchange> process,
      CaptureLine direct) {
    this(files, sink, maxExchanges, maxBytes, threads, counters, process, direct, LINGER_NANOS);
  }

  /** As the public constructor, with encoders that linger {@code lingerNanos} at most. */
  CaptureWriter(
      FileSink files,
      ExchangeSink sink,
      int maxExchanges,
      long maxBytes,
      int threads,
      Counters counters,
      UnaryOperator<Exchange> process,
      CaptureLine direct,
      long lingerNanos) {
    this.lingerNanos = lingerNanos;
    this.files = files;
    this.direct = files == null ? null : direct;
    this.sink = sink;
    this.queue = new ArrayBlockingQueue<>(maxExchanges);
    this.maxExchanges = maxExchanges;
    this.maxBytes = maxBytes;
    this.counters = counters;
    this.process = process;
    this.gzipLevel = 1; // the recorder compresses for speed: its encoders keep up with live traffic
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(this::run, "shadow-recorder-encoder-" + (i + 1));
      t.setDaemon(true);
      encoders.add(t);
      helpers.add(new Encoder());
    }
    this.writer = new Thread(this::writeInOrder, "shadow-recorder-writer");
    writer.setDaemon(true);
    writer.start();
    encoders.forEach(Thread::start);
  }

  /**
   * Queues an exchange for disk, or drops and counts it when the backlog is full. Never blocks.
   */
  public void offer(Pending p) {
    offering.incrementAndGet();
    try {
      offerOne(p);
    } finally {
      offering.decrementAndGet();
    }
  }

  /** Offers in progress: the stop waits for them before it drains the queue. */
  private final AtomicInteger offering = new AtomicInteger();

  private void offerOne(Pending p) {
    if (closing) {
      p.release().run();
      counters.drop(DropReason.STOPPING);
      return;
    }
    int n = backlog.incrementAndGet();
    long bytes = backlogBytes.addAndGet(p.bytes());
    // one exchange alone always fits (its bodies are bounded by --max-body and the budget)
    if (n > maxExchanges || bytes > maxBytes && n > 1) {
      backlog.decrementAndGet();
      backlogBytes.addAndGet(-p.bytes());
      p.release().run();
      counters.drop(DropReason.QUEUE_FULL);
      return;
    }
    if (!queue.offer(p)) { // never: the backlog bounds the queue
      backlog.decrementAndGet();
      backlogBytes.addAndGet(-p.bytes());
      p.release().run();
      counters.drop(DropReason.QUEUE_FULL);
      return;
    }
    Thread waiting = lingering;
    if (waiting != null && n - inBatches.get() >= LINGER_BELOW) {
      LockSupport.unpark(waiting); // a batch's worth: the encoder need not linger longer
    }
  }

  /** A batch: taken together, encoded together, written together. */
  private static final class Batch {
    final long seq;
    final int taken;
    final long bytes;
    final List<String> ids = new ArrayList<>();
    final List<Exchange> exchanges = new ArrayList<>(); // without files, or one large exchange
    byte[] encoded; // with files
    int encodedLength;
    boolean large;
    int started; // exchanges the encoder began (their captures released)
    int dropped; // exchanges the encoder lost and counted

    Batch(long seq, int taken, long bytes) {
      this.seq = seq;
      this.taken = taken;
      this.bytes = bytes;
    }
  }

  /** A writer of lines as the files hold them (version 2: raw bodies), into {@code lines}. */
  private RecordingWriter linesWriter(LineBuffer lines) {
    return files != null
        ? RecordingWriter.lines(lines, files.header())
        : RecordingWriter.lines(lines);
  }

  /** An encoder's own buffers, reused batch after batch. */
  private final class Encoder {
    final LineBuffer lines = new LineBuffer();
    RecordingWriter writer = linesWriter(lines);
    final GzipMembers gzip = files != null && files.gzip() ? new GzipMembers(gzipLevel) : null;
    final UnaryOperator<Exchange> process;
    final Counters counters;

    Encoder(UnaryOperator<Exchange> process, Counters counters) {
      this.process = process;
      this.counters = counters;
    }

    Encoder() {
      this(CaptureWriter.this.process, CaptureWriter.this.counters);
    }

    void encode(List<Pending> taken, Batch b) {
      lines.reset();
      b.large = files != null && taken.size() == 1 && b.bytes > LARGE_BYTES;
      for (Pending p : taken) {
        if (direct != null && !b.large && p.parts() != null && direct(p, b)) {
          continue;
        }
        Exchange safe;
        b.started++;
        try {
          safe = process.apply(p.build().get());
        } catch (Throwable ex) { // a redaction that fails: never written unredacted, and counted
          counters.drop(DropReason.REDACTION_ERROR);
          b.dropped++;
          continue;
        } finally {
          p.release().run();
        }
        if (files == null || b.large) {
          b.exchanges.add(safe);
          b.ids.add(safe.id());
          continue;
        }
        int mark = lines.size();
        try {
          writer.write(safe);
          writer.flush();
          b.ids.add(safe.id());
        } catch (UnwritableExchangeException ex) { // e.g. more headers than any line may hold
          counters.drop(DropReason.UNWRITABLE_EXCHANGE);
          b.dropped++;
        } catch (Throwable ex) { // only this exchange is lost: the batch goes on without it
          lines.truncate(mark);
          writer = linesWriter(lines);
          counters.drop(DropReason.WRITE_ERROR);
          b.dropped++;
        }
      }
      if (files != null && !b.large) {
        if (gzip != null && lines.size() > 0) {
          gzip.compress(lines.array(), lines.size());
          b.encoded = Arrays.copyOf(gzip.bytes(), gzip.length());
        } else {
          b.encoded = Arrays.copyOf(lines.array(), lines.size());
        }
        b.encodedLength = b.encoded.length;
        lines.trim();
      }
    }

    /**
     * Writes {@code p}'s line without the model; false (nothing written, nothing released) when
     * the model path must write it.
     */
    private boolean direct(Pending p, Batch b) {
      int mark = lines.size();
      boolean written;
      try {
        written = direct.write(p.parts(), lines);
      } catch (RuntimeException e) { // never seen: the model path writes it, or counts its error
        lines.truncate(mark);
        return false;
      }
      if (written) {
        b.started++;
        p.release().run();
        b.ids.add(p.parts().id());
      }
      return written;
    }

    void end() {
      if (gzip != null) {
        gzip.end();
      }
    }
  }

  /**
   * Takes the next batch, numbered, or returns null: when nothing waits ({@code wait}: after
   * waiting up to 100 ms), or, without {@code wait}, when another thread is taking.
   */
  private Batch take(List<Pending> taken, int max, long maxBytes, boolean wait)
      throws InterruptedException {
    if (wait) {
      takeLock.lockInterruptibly();
    } else if (!takeLock.tryLock()) {
      return null;
    }
    try {
      Pending first;
      if (wait) {
        first = queue.poll(100, TimeUnit.MILLISECONDS);
      } else {
        Pending head = queue.peek();
        // a helper takes only small exchanges: a large one is the encoders' work
        first = head == null || head.bytes() > maxBytes ? null : queue.poll();
      }
      if (first == null) {
        return null;
      }
      if (wait && !ending && queue.size() < LINGER_BELOW) {
        // a few exchanges only: wait a moment for more, so that a batch (one gzip member, one
        // write, one wake-up of each thread) holds many; else every exchange pays them alone.
        // An offer that makes LINGER_BELOW wait, or the stop, ends the wait early (the queue is
        // read again after lingering is set: an offer either sees it set or is counted here)
        lingering = Thread.currentThread();
        try {
          if (!ending && queue.size() < LINGER_BELOW) {
            LockSupport.parkNanos(lingerNanos);
          }
        } finally {
          lingering = null;
        }
      }
      int room = max;
      if (files != null && files.rotateExchanges() > 0) {
        // a batch never spans two files: each holds exactly its number of exchanges
        room = (int) Math.min(room, files.rotateExchanges() - handedOut % files.rotateExchanges());
      }
      long bytes = first.bytes();
      taken.add(first);
      // a large exchange goes alone (the writer streams it): it neither joins nor opens a batch
      while (taken.size() < room && bytes < maxBytes && first.bytes() <= LARGE_BYTES) {
        Pending p = queue.peek();
        if (p == null || p.bytes() > LARGE_BYTES) {
          break;
        }
        taken.add(queue.poll());
        bytes += p.bytes();
      }
      handedOut += taken.size();
      inBatches.addAndGet(taken.size());
      return new Batch(nextTaken++, taken.size(), bytes);
    } finally {
      takeLock.unlock();
    }
  }

  /** Encodes a taken batch and hands it to the writer; an encoder never dies of a bad exchange. */
  private void encodeAndDeliver(Encoder encoder, List<Pending> taken, Batch b) {
    try {
      encoder.encode(taken, b);
    } catch (Throwable e) { // the rest of the batch is lost, and counted once
      for (int i = b.started; i < taken.size(); i++) {
        taken.get(i).release().run();
      }
      for (int i = b.dropped; i < taken.size(); i++) {
        counters.drop(DropReason.WRITE_ERROR);
      }
      b.ids.clear();
      b.exchanges.clear();
      b.encoded = null;
    }
    synchronized (orderLock) {
      if (finished) { // the stop gave up waiting: this batch is lost, and counted
        int n = files != null ? b.ids.size() : b.exchanges.size();
        for (int i = 0; i < n; i++) {
          counters.drop(DropReason.NOT_WRITTEN_AT_STOP);
        }
        return;
      }
      ready.put(b.seq, b);
      if (b.seq == nextWritten) {
        orderLock.notifyAll();
      }
    }
  }

  private void run() {
    Encoder encoder = new Encoder();
    List<Pending> taken = new ArrayList<>();
    try {
      while (true) {
        taken.clear();
        Batch b;
        try {
          b = take(taken, BATCH_EXCHANGES, BATCH_BYTES, true);
        } catch (InterruptedException e) {
          return;
        }
        if (b == null) {
          if (ending && queue.isEmpty()) {
            return;
          }
          continue;
        }
        encodeAndDeliver(encoder, taken, b);
      }
    } finally {
      encoder.end();
    }
  }

  /**
   * True when the encoders are behind: more than {@link #HELP_ABOVE} exchanges wait untaken. Not
   * the whole backlog: an encoder holds its batch (up to {@link #BATCH_EXCHANGES}) until it is
   * written, and helping then would only take the few that came in meanwhile, each batch of them
   * a gzip member of its own that compresses worst (nothing before it to refer to) and costs a
   * deflater reset.
   */
  public boolean behind() {
    return !closing && backlog.get() - inBatches.get() > HELP_ABOVE;
  }

  /**
   * Called by a connection thread between two requests (its response sent in full): when the
   * encoders are behind, it encodes one small batch itself. Never blocks: it does nothing when
   * another thread is taking a batch, or when every helper encoder is lent.
   */
  public void help() {
    if (!behind()) {
      return;
    }
    Encoder encoder = helpers.poll();
    if (encoder == null) {
      return;
    }
    helping.incrementAndGet();
    try {
      if (closing) {
        return;
      }
      List<Pending> taken = new ArrayList<>(HELP_BATCH);
      Batch b = take(taken, HELP_BATCH, HELP_BYTES, false);
      if (b != null) {
        encodeAndDeliver(encoder, taken, b);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // never: take does not wait here
    } finally {
      helping.decrementAndGet();
      helpers.offer(encoder);
    }
  }

  /** Warm-up rounds run at least (each encodes every {@link CaptureWarmup} sample once). */
  static final int WARMUP_MIN_ROUNDS = 400;

  /** The warm-up ends once the JIT has compiled nothing for this long (after its rounds). */
  static final long WARMUP_QUIET_NANOS = 100_000_000;

  /**
   * Runs the encoders on made-up exchanges ({@link CaptureWarmup}), encoded, compressed and thrown
   * away, until the JIT has compiled them: at least {@link #WARMUP_MIN_ROUNDS} rounds, then until
   * the JIT has been quiet for {@link #WARMUP_QUIET_NANOS}, and never longer than {@code maxNanos}.
   * For the recorder to call before it listens: under load on a small machine, the encoders would
   * otherwise wait many seconds for the JIT, interpreted and slow. Nothing is written, counted or
   * mirrored. Only with recording files (other sinks encode in their own code); compiled code is
   * the JVM's, so once per JVM is enough.
   *
   * @param redaction what the model path applies (the recorder's redaction, without its mirror)
   * @return the rounds run, 0 when there was nothing to do
   */
  public int warmUp(UnaryOperator<Exchange> redaction, long maxNanos) {
    if (files == null) {
      return 0;
    }
    long start = System.nanoTime();
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
    Encoder encoder = new Encoder(redaction, new Counters(ShadowListener.NONE));
    List<CaptureParts> samples = CaptureWarmup.samples();
    List<Pending> taken = new ArrayList<>(samples.size());
    int rounds = 0;
    long jitTime = -1;
    long quietSince = 0;
    try {
      while (System.nanoTime() - start < maxNanos) {
        taken.clear();
        for (CaptureParts p : samples) {
          taken.add(new Pending(p, () -> {}, 0));
        }
        encoder.encode(taken, new Batch(-1, taken.size(), 0));
        rounds++;
        if (rounds < WARMUP_MIN_ROUNDS || rounds % 20 != 0) {
          continue;
        }
        if (!jitTimed) {
          break;
        }
        long now = System.nanoTime();
        long t = jit.getTotalCompilationTime();
        if (t != jitTime) {
          jitTime = t;
          quietSince = now;
        } else if (now - quietSince >= WARMUP_QUIET_NANOS) {
          break;
        }
      }
    } finally {
      encoder.end();
    }
    return rounds;
  }

  /** The writer thread: batches in the order they were taken, each as soon as it is encoded. */
  private void writeInOrder() {
    while (true) {
      Batch next;
      synchronized (orderLock) {
        next = ready.remove(nextWritten);
        if (next == null) {
          if (finished) {
            return;
          }
          countLost(); // an asynchronous sink's deliveries fail later, when nothing is written
          try {
            orderLock.wait(100);
          } catch (InterruptedException e) {
            return;
          }
          continue;
        }
        nextWritten++;
      }
      boolean goOn;
      try {
        goOn = write(next);
      } catch (Throwable e) { // never seen; the writer thread must outlive it all the same
        goOn = true;
      }
      if (!goOn) {
        return; // interrupted by a stop that gave up on a blocked sink
      }
    }
  }

  /** Set once every batch taken has been delivered: the writer ends when none is left. */
  private volatile boolean finished;

  /** Writes one batch and settles its exchanges; false when interrupted (a stop gave up). */
  private boolean write(Batch b) {
    try {
      if (files != null && b.large) {
        if (b.exchanges.isEmpty()) {
          files.skip(b.taken);
          return true;
        }
        Exchange e = b.exchanges.get(0);
        try {
          files.appendStreamed(e);
          counters.recorded(e.id());
        } catch (UnwritableExchangeException ex) {
          counters.drop(DropReason.UNWRITABLE_EXCHANGE);
        } catch (Throwable ex) {
          counters.drop(DropReason.WRITE_ERROR);
        }
        return true;
      }
      if (files != null) {
        if (!b.ids.isEmpty()) {
          try {
            files.append(b.encoded, b.encodedLength, b.ids.size(), b.taken);
            b.ids.forEach(counters::recorded);
          } catch (RuntimeException e) {
            b.ids.forEach(id -> counters.drop(DropReason.WRITE_ERROR));
          }
        } else {
          files.skip(b.taken);
        }
        return true;
      }
      for (int i = 0; i < b.exchanges.size(); i++) {
        Exchange e = b.exchanges.get(i);
        try {
          sink.write(e);
          counters.recorded(e.id());
        } catch (UnwritableExchangeException ex) {
          counters.drop(DropReason.UNWRITABLE_EXCHANGE);
        } catch (Throwable ex) {
          if (Thread.currentThread().isInterrupted()
              || ex.getCause() instanceof InterruptedException) {
            // a sink that hung until the stop gave up on it: this one and the rest are lost
            for (int j = i; j < b.exchanges.size(); j++) {
              counters.drop(DropReason.NOT_WRITTEN_AT_STOP);
            }
            return false;
          }
          counters.drop(DropReason.WRITE_ERROR);
        }
      }
      countLost();
      if (queue.isEmpty() && readyIsEmpty()) {
        try {
          sink.flush(); // nothing waiting: make what was written durable now
        } catch (Exception ex) {
          counters.drop(DropReason.FLUSH_ERROR);
        }
      }
      return true;
    } finally {
      backlog.addAndGet(-b.taken);
      backlogBytes.addAndGet(-b.bytes);
      inBatches.addAndGet(-b.taken);
    }
  }

  /** Deliveries of an asynchronous sink (Kafka) that failed after it accepted them: dropped. */
  private long lostCounted;

  private void countLost() {
    if (sink == null) {
      return;
    }
    long lost;
    try {
      lost = sink.lost();
    } catch (RuntimeException e) {
      return;
    }
    for (; lostCounted < lost; lostCounted++) {
      counters.recorded.decrement(); // counted when the sink took it: it is not recorded after all
      counters.drop(DropReason.DELIVERY_FAILED);
    }
  }

  private boolean readyIsEmpty() {
    synchronized (orderLock) {
      return ready.isEmpty();
    }
  }

  /** Writes everything queued (waiting up to {@code millis}), then closes the sink. */
  public void close(long millis) throws InterruptedException {
    closing = true;
    ending = true;
    Thread waiting = lingering;
    if (waiting != null) {
      LockSupport.unpark(waiting);
    }
    long deadline = System.currentTimeMillis() + millis;
    while ((helping.get() > 0 || offering.get() > 0) && System.currentTimeMillis() < deadline) {
      Thread.sleep(1); // a connection thread finishing the batch it took, or its offer
    }
    for (Thread t : encoders) {
      t.join(Math.max(1, deadline - System.currentTimeMillis()));
    }
    finished = true; // nothing more is delivered: the writer ends with the last batch
    synchronized (orderLock) {
      orderLock.notifyAll();
    }
    writer.join(Math.max(1, deadline - System.currentTimeMillis()));
    for (Thread t : encoders) {
      if (t.isAlive()) {
        t.interrupt();
      }
    }
    if (writer.isAlive()) {
      writer.interrupt(); // a blocked sink: what is still queued is lost, and counted
    }
    for (Thread t : encoders) {
      t.join(1000);
    }
    writer.join(1000);
    Pending p;
    while ((p = queue.poll()) != null) {
      p.release().run();
      counters.drop(DropReason.NOT_WRITTEN_AT_STOP);
    }
    synchronized (orderLock) {
      for (Batch b : ready.values()) {
        int n = files != null ? b.ids.size() : b.exchanges.size();
        for (int i = 0; i < n; i++) {
          counters.drop(DropReason.NOT_WRITTEN_AT_STOP);
        }
      }
      ready.clear();
    }
    helpers.forEach(Encoder::end);
    try {
      if (files != null) {
        files.close();
      } else {
        sink.close();
        countLost(); // what the sink could not deliver before it closed
      }
    } catch (Exception e) {
      counters.drop(DropReason.CLOSE_ERROR);
    }
  }

  @Override
  public void close() throws InterruptedException {
    close(30_000);
  }
}
