package dev.shadowtest.kafka;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.ExchangeSource;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingReader;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.SourcePositions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads exchanges from a topic. Each exchange's id is its place, {@code "partition@offset"}
 * ({@link SourcePositions#id}). A run reads the offsets between bounds fixed when it starts: the
 * topic's first offsets (or the first at {@code from=}) to its end offsets (or the first at
 * {@code until=}).
 *
 * <p>Alone, it reads every partition and confirms nothing. Tracked by a replay ({@link #track})
 * with {@code group=NAME}, it is one worker of a consumer group: the group shares the partitions;
 * the bounds of each partition are fixed by the first worker that reads it and kept in the
 * group's committed offsets (their metadata), so every worker of the group, and a worker started
 * later, replays the same run; offsets are committed only after the run has made the results
 * before them durable and kept its positions (see {@link SourcePositions}); and a worker ends when
 * the whole group has committed every partition up to its end, so it stays to take over the
 * partitions of a worker that dies.
 */
final class KafkaSource implements ExchangeSource {

  /** The prefix of the committed offsets' metadata: "shadow-replay from=F until=U". */
  static final String META = "shadow-replay";

  private static final Duration POLL = Duration.ofMillis(200);
  private static final long CHECKPOINT_NANOS = 1_000_000_000L;
  private static final long GROUP_CHECK_NANOS = 1_000_000_000L;
  private static final Duration PEEK = Duration.ofSeconds(5);

  /** Unreadable records a run remembers as missing offsets; more is a broken topic. */
  private static final int MAX_HOLES = 10_000;

  private static final int MAX_WARNINGS = 100;

  private final KafkaLocation at;
  private final Consumer<String> warnings;
  private final int partitionCount;
  private RecordingHeader header;
  private byte[] headerBytes;
  private KafkaConsumer<byte[], byte[]> consumer;
  private Progress progress;
  private final ArrayDeque<ConsumerRecord<byte[], byte[]>> ready = new ArrayDeque<>();
  private Exchange next;
  private long unreadable;
  private boolean ended;
  private RuntimeException failure;

  /** Alone: each partition's bounds. */
  private final Map<TopicPartition, long[]> bounds = new HashMap<>();

  /** Tracked: what this worker knows of each partition it has owned. Guarded by itself. */
  private final Map<Integer, Part> parts = new TreeMap<>();

  private volatile boolean changed;
  private long lastCheckpoint = System.nanoTime();
  private long nextGroupCheck;
  private boolean groupDone;

  KafkaSource(KafkaLocation at, Consumer<String> warnings) {
    this.at = at;
    this.warnings = warnings;
    this.partitionCount = Clients.check(at).partitions();
  }

  @Override
  public RecordingHeader header() {
    if (header == null) {
      header = peekHeader();
    }
    return header;
  }

  /** The recording header of the topic's first record; an empty topic has a plain one. */
  private RecordingHeader peekHeader() {
    try (KafkaConsumer<byte[], byte[]> c = newConsumer(false)) {
      List<TopicPartition> tps = partitions();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> ends = c.endOffsets(tps);
      long deadline = System.nanoTime() + PEEK.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
          byte[] h = headerOf(r);
          if (h == null) {
            throw new BadInputException(
                at.shown()
                    + ": record "
                    + SourcePositions.id(r.partition(), r.offset())
                    + " has no "
                    + KafkaSink.HEADER
                    + " header: the topic holds records Shadow did not write");
          }
          return RecordingReader.parseHeader(h);
        }
        boolean empty = true;
        for (TopicPartition tp : tps) {
          empty &= c.position(tp) >= ends.get(tp);
        }
        if (empty) {
          break;
        }
      }
    } catch (KafkaException e) {
      throw Clients.refused(at, e);
    }
    return new RecordingHeader(
        RecordingHeader.FORMAT,
        RecordingHeader.CURRENT_VERSION,
        Instant.now(),
        "kafka:" + at.topic(),
        Redaction.none());
  }

  private static byte[] headerOf(ConsumerRecord<byte[], byte[]> r) {
    Header h = r.headers().lastHeader(KafkaSink.HEADER);
    return h == null ? null : h.value();
  }

  private List<TopicPartition> partitions() {
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitionCount; p++) {
      tps.add(new TopicPartition(at.topic(), p));
    }
    return tps;
  }

  private KafkaConsumer<byte[], byte[]> newConsumer(boolean grouped) {
    Properties p = new Properties();
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    // never a silent jump: offsets deleted by retention meanwhile are told (OffsetOutOfRange)
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    p.putAll(Clients.base(at, grouped ? "shadow-replay-" + at.group() : "shadow-read"));
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    if (grouped) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, at.group());
    } else {
      p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    }
    try {
      return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    } catch (KafkaException e) {
      throw Clients.refused(at, e); // a client property Kafka refuses
    }
  }

  @Override
  public void track(Progress progress) {
    if (at.group() != null && consumer == null) {
      this.progress = progress;
    }
  }

  @Override
  public long unreadable() {
    return unreadable;
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (ended) {
      return false;
    }
    try {
      if (consumer == null) {
        start();
      }
      next = progress == null ? nextAlone() : nextTracked();
    } catch (InterruptException | WakeupException e) {
      Thread.currentThread().interrupt(); // the replay stopped reading
      next = null;
    } catch (BadInputException e) {
      throw e;
    } catch (KafkaException e) {
      // a refusal found while the group assigned partitions comes first: what followed is its
      // consequence (partitions left without a position)
      throw failure != null ? failure : Clients.refused(at, e);
    }
    if (next == null) {
      ended = true;
    }
    return next != null;
  }

  @Override
  public Exchange next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Exchange e = next;
    next = null;
    return e;
  }

  private void start() {
    header();
    consumer = newConsumer(progress != null);
    if (progress != null) {
      consumer.subscribe(List.of(at.topic()), new Rebalance());
      return;
    }
    List<TopicPartition> tps = partitions();
    consumer.assign(tps);
    Map<TopicPartition, Long> from = starts(tps);
    Map<TopicPartition, Long> until = ends(tps);
    List<TopicPartition> finished = new ArrayList<>();
    for (TopicPartition tp : tps) {
      bounds.put(tp, new long[] {from.get(tp), until.get(tp)});
      consumer.seek(tp, from.get(tp));
      if (from.get(tp) >= until.get(tp)) {
        finished.add(tp);
      }
    }
    consumer.pause(finished);
  }

  /** Where the run starts in each partition: its first offset, or the first at {@code from}. */
  private Map<TopicPartition, Long> starts(Collection<TopicPartition> tps) {
    return at.from() == null ? consumer.beginningOffsets(tps) : atTime(tps, at.from());
  }

  /** Where the run ends in each partition (exclusive): its end now, or the first at {@code until}. */
  private Map<TopicPartition, Long> ends(Collection<TopicPartition> tps) {
    return at.until() == null ? consumer.endOffsets(tps) : atTime(tps, at.until());
  }

  private Map<TopicPartition, Long> atTime(Collection<TopicPartition> tps, Instant t) {
    Map<TopicPartition, Long> query = new HashMap<>();
    tps.forEach(tp -> query.put(tp, t.toEpochMilli()));
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
    Map<TopicPartition, Long> end = consumer.endOffsets(tps);
    Map<TopicPartition, Long> out = new HashMap<>();
    for (TopicPartition tp : tps) {
      OffsetAndTimestamp o = found.get(tp);
      out.put(tp, o == null ? end.get(tp) : o.offset());
    }
    return out;
  }

  /** Alone: the next exchange of any partition within its bounds, or null at the end. */
  private Exchange nextAlone() {
    while (true) {
      while (!ready.isEmpty()) {
        ConsumerRecord<byte[], byte[]> r = ready.poll();
        Exchange e = exchangeOf(r);
        if (e != null) {
          return e;
        }
      }
      List<TopicPartition> done = new ArrayList<>();
      for (TopicPartition tp : consumer.assignment()) {
        if (!consumer.paused().contains(tp) && consumer.position(tp) >= bounds.get(tp)[1]) {
          done.add(tp);
        }
      }
      consumer.pause(done);
      if (consumer.paused().size() == consumer.assignment().size()) {
        return null;
      }
      try {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          if (r.offset() < bounds.get(new TopicPartition(r.topic(), r.partition()))[1]) {
            ready.add(r);
          }
        }
      } catch (OffsetOutOfRangeException e) {
        Map<TopicPartition, Long> first = consumer.beginningOffsets(e.partitions());
        for (TopicPartition tp : e.partitions()) {
          long from = e.offsetOutOfRangePartitions().get(tp);
          long start = Math.min(first.get(tp), bounds.get(tp)[1]);
          unreadable += Math.max(0, start - from);
          warnings.accept(deletedUnread(tp, from, start, ""));
          consumer.seek(tp, start);
        }
      }
    }
  }

  /** The exchange a record holds, under its place as id; null when unreadable (counted, told). */
  private Exchange exchangeOf(ConsumerRecord<byte[], byte[]> r) {
    String id = SourcePositions.id(r.partition(), r.offset());
    try {
      byte[] h = headerOf(r);
      if (h == null) {
        throw new BadInputException("no " + KafkaSink.HEADER + " header: not written by Shadow");
      }
      if (!Arrays.equals(h, headerBytes)) {
        RecordingReader.parseHeader(h); // another version or redaction: must be readable too
        headerBytes = h;
      }
      if (r.value() == null) {
        throw new BadInputException("no value");
      }
      Exchange e = RecordingReader.parseExchange(r.value());
      return new Exchange(
          id, e.startedAt(), e.durationMicros(), e.request(), e.response(), e.error(), e.tags());
    } catch (BadInputException e) {
      unreadable++;
      if (unreadable <= MAX_WARNINGS) {
        warnings.accept(at.shown() + ": record " + id + " skipped: " + e.getMessage());
      } else if (unreadable == MAX_WARNINGS + 1) {
        warnings.accept(at.shown() + ": more unreadable records; only the first are listed");
      }
      return null;
    }
  }

  /** Tracked: the next exchange of this worker's share, or null when the whole run is done. */
  private Exchange nextTracked() {
    while (true) {
      if (failure != null) {
        throw failure;
      }
      while (!ready.isEmpty()) {
        ConsumerRecord<byte[], byte[]> r = ready.poll();
        Part s;
        synchronized (parts) {
          s = parts.get(r.partition());
          if (s == null || !s.owned || r.offset() < s.handed) {
            continue; // taken away by a rebalance meanwhile, or already served
          }
          if (r.offset() >= s.until) {
            s.handed = s.until; // past the end of the run
            changed = true;
            continue;
          }
        }
        Exchange e = exchangeOf(r);
        synchronized (parts) {
          s.handed = r.offset() + 1;
          if (e == null) {
            s.hole(r.offset());
            changed = true;
            continue;
          }
          s.pending.add(r.offset());
        }
        served++;
        return e;
      }
      long now = System.nanoTime();
      if (changed && now - lastCheckpoint >= CHECKPOINT_NANOS) {
        checkpoint();
      }
      if (ownShareDone() && now >= nextGroupCheck) {
        if (changed) {
          checkpoint();
        }
        if (ownShareDone() && groupDone()) {
          warnings.accept(shareDone());
          return null;
        }
        nextGroupCheck = now + GROUP_CHECK_NANOS;
      }
      advanceAndPause();
      try {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          ready.add(r);
        }
      } catch (OffsetOutOfRangeException e) {
        deleted(e);
      }
    }
  }

  /**
   * Offsets the topic's retention deleted before they were read: a gap in the run (never
   * confirmed, so merge tells them missing), told in a warning; reading goes on after it.
   */
  private void deleted(OffsetOutOfRangeException e) {
    Map<TopicPartition, Long> first = consumer.beginningOffsets(e.partitions());
    synchronized (parts) {
      for (TopicPartition tp : e.partitions()) {
        long start = first.get(tp);
        Part s = parts.get(tp.partition());
        long from = s == null ? start : s.handed;
        if (s != null && start > s.handed) {
          s.gap(s.handed, Math.min(start, s.until));
          s.handed = Math.min(start, s.until);
          changed = true;
        }
        warnings.accept(deletedUnread(tp, from, start, ": they are missing from the run"));
        consumer.seek(tp, Math.max(start, s == null ? start : s.handed));
      }
    }
  }

  private String deletedUnread(TopicPartition tp, long from, long start, String consequence) {
    return at.shown()
        + ": partition "
        + tp.partition()
        + ": offsets "
        + from
        + "-"
        + (start - 1)
        + " were deleted by the topic's retention before they were read"
        + consequence;
  }

  @Override
  public void idle() {
    if (consumer == null || progress == null || failure != null || ended) {
      return;
    }
    try {
      // stay a member of the group (rebalances run here) without taking records
      Set<TopicPartition> held = new HashSet<>(consumer.assignment());
      held.removeAll(consumer.paused());
      consumer.pause(held);
      try {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ZERO)) {
          ready.add(r); // of a partition assigned in this poll
        }
      } catch (OffsetOutOfRangeException e) {
        deleted(e);
      } finally {
        held.retainAll(consumer.assignment());
        consumer.resume(held);
      }
      if (changed && System.nanoTime() - lastCheckpoint >= CHECKPOINT_NANOS) {
        checkpoint();
      }
    } catch (InterruptException | WakeupException e) {
      Thread.currentThread().interrupt();
    } catch (BadInputException e) {
      throw e;
    } catch (KafkaException e) {
      // a refusal found while the group assigned partitions comes first: what followed is its
      // consequence (partitions left without a position)
      throw failure != null ? failure : Clients.refused(at, e);
    }
  }

  /** Moves each owned partition's served mark past what the consumer skipped; pauses finished ones. */
  private void advanceAndPause() {
    List<TopicPartition> finished = new ArrayList<>();
    synchronized (parts) {
      for (TopicPartition tp : consumer.assignment()) {
        Part s = parts.get(tp.partition());
        if (s == null || !s.owned) {
          continue;
        }
        long position = consumer.position(tp);
        if (position > s.handed) {
          s.handed = Math.min(position, s.until);
          changed = true;
        }
        if (s.handed >= s.until && !consumer.paused().contains(tp)) {
          finished.add(tp);
        }
      }
    }
    consumer.pause(finished);
  }

  private boolean ownShareDone() {
    synchronized (parts) {
      for (Part s : parts.values()) {
        if (s.owned && (s.handed < s.until || !s.pending.isEmpty() || s.committed < s.until)) {
          return false;
        }
      }
      return true;
    }
  }

  /** What this worker's run is: its share of the group's. */
  private String shareDone() {
    List<String> ps = new ArrayList<>();
    synchronized (parts) {
      parts.values().stream()
          .filter(p -> !p.ranges(p.watermark()).isEmpty())
          .forEach(p -> ps.add(Integer.toString(p.partition)));
    }
    return at.shown()
        + ", group "
        + at.group()
        + ": this run holds one worker's share ("
        + served
        + " exchange(s)"
        + (ps.isEmpty() ? "" : " of partition(s) " + String.join(", ", ps))
        + "); the group's run is its workers' runs merged (shadow merge)";
  }

  private long served;

  /** True when the group has committed every partition up to the end of the run. */
  private boolean groupDone() {
    if (groupDone) {
      return true;
    }
    Map<TopicPartition, OffsetAndMetadata> committed =
        consumer.committed(new HashSet<>(partitions()));
    for (TopicPartition tp : partitions()) {
      OffsetAndMetadata c = committed.get(tp);
      long[] b = c == null ? null : bounds(c.metadata());
      if (b == null || c.offset() < b[1]) {
        return false;
      }
    }
    groupDone = true;
    return true;
  }

  @Override
  public void done(String id) {
    long[] place = SourcePositions.place(id);
    if (place == null || progress == null) {
      return;
    }
    synchronized (parts) {
      Part s = parts.get((int) place[0]);
      if (s != null && s.pending.remove(place[1])) {
        changed = true;
      }
    }
  }

  /**
   * Makes the run keep what is done (results durable, positions saved), then commits it. Runs on
   * the consumer's thread.
   */
  private void checkpoint() {
    List<SourcePositions.Partition> known = new ArrayList<>();
    Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
    synchronized (parts) {
      for (Part s : parts.values()) {
        long w = s.watermark();
        known.add(new SourcePositions.Partition(s.partition, s.from, s.until, s.ranges(w)));
        if (s.owned && w > s.committed) {
          commits.put(
              new TopicPartition(at.topic(), s.partition),
              new OffsetAndMetadata(w, meta(s.from, s.until)));
        }
      }
      changed = false;
    }
    lastCheckpoint = System.nanoTime();
    progress.checkpoint(new SourcePositions(at.topic(), at.group(), partitionCount, known));
    if (commits.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(commits);
      synchronized (parts) {
        commits.forEach((tp, o) -> parts.get(tp.partition()).committed = o.offset());
      }
      failedCommits = 0;
    } catch (CommitFailedException | RebalanceInProgressException | RetriableException e) {
      // a rebalance took the partitions meanwhile (their new owner goes on), or the coordinator
      // is moving: tried again at the next checkpoint, and told when it goes on
      changed = true;
      if (++failedCommits == FAILED_COMMITS_TOLD) {
        warnings.accept(
            at.shown()
                + ", group "
                + at.group()
                + ": "
                + FAILED_COMMITS_TOLD
                + " commits in a row failed ("
                + e.getClass().getSimpleName()
                + ": "
                + e.getMessage()
                + "); what is done stays unconfirmed until one succeeds");
      }
    }
  }

  /** Commits that failed in a row since the last that succeeded; told once at 30. */
  private int failedCommits;

  private static final int FAILED_COMMITS_TOLD = 30;

  static String meta(long from, long until) {
    return META + " from=" + from + " until=" + until;
  }

  /** The bounds a committed offset's metadata holds, or null when Shadow did not commit it. */
  static long[] bounds(String metadata) {
    if (metadata == null || !metadata.startsWith(META + " from=")) {
      return null;
    }
    try {
      String[] parts = metadata.substring(META.length() + 1).split(" ");
      return new long[] {
        Long.parseLong(parts[0].substring("from=".length())),
        Long.parseLong(parts[1].substring("until=".length()))
      };
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** What the worker knows of one partition. */
  private static final class Part {
    final int partition;
    final long from;
    final long until;

    /** Where the current ownership began: its committed offset then. */
    long segStart;

    /** The offset after the last record served (or skipped). */
    long handed;

    /** The offset committed last. */
    long committed;

    boolean owned;

    /** Served and not yet done. */
    final TreeSet<Long> pending = new TreeSet<>();

    /** Offsets no result covers: records that could not be read, offsets deleted unread. */
    final TreeMap<Long, Long> gaps = new TreeMap<>();

    /** Ranges done in earlier ownerships. */
    final List<SourcePositions.Range> done = new ArrayList<>();

    Part(int partition, long from, long until, long start) {
      this.partition = partition;
      this.from = from;
      this.until = until;
      this.segStart = start;
      this.handed = start;
      this.committed = start;
    }

    long watermark() {
      return pending.isEmpty() ? handed : pending.first();
    }

    void hole(long offset) {
      gap(offset, offset + 1);
    }

    void gap(long from, long until) {
      if (gaps.size() >= MAX_HOLES) {
        throw new BadInputException(
            "more than "
                + MAX_HOLES
                + " unreadable records or deleted ranges in partition "
                + partition);
      }
      gaps.put(from, until);
    }

    /** Owned again from {@code start}: what lies before it was done elsewhere (or by us). */
    void resume(long start) {
      pending.headSet(start).clear();
      handed = Math.max(handed, start);
      segStart = start;
      committed = start;
      owned = true;
    }

    /** No longer owned: the ownership so far becomes a range done. */
    void close() {
      long w = watermark();
      add(done, segStart, w);
      segStart = w;
      owned = false;
    }

    /** Every range done, the current ownership up to {@code w} included, without the holes. */
    List<SourcePositions.Range> ranges(long w) {
      List<SourcePositions.Range> all = new ArrayList<>(done);
      if (owned) {
        add(all, segStart, w);
      }
      if (gaps.isEmpty()) {
        return all;
      }
      List<SourcePositions.Range> out = new ArrayList<>();
      for (SourcePositions.Range r : all) {
        long from = r.from();
        for (Map.Entry<Long, Long> g : gaps.subMap(r.from(), r.until()).entrySet()) {
          add(out, from, g.getKey());
          from = Math.max(from, g.getValue());
        }
        add(out, from, r.until());
      }
      return out;
    }

    private static void add(List<SourcePositions.Range> to, long from, long until) {
      if (until <= from) {
        return;
      }
      // ranges come in increasing order; one that touches or overlaps the last extends it
      int i = to.size() - 1;
      if (i >= 0 && from <= to.get(i).until()) {
        SourcePositions.Range last = to.get(i);
        to.set(
            i,
            new SourcePositions.Range(Math.min(last.from(), from), Math.max(last.until(), until)));
        return;
      }
      to.add(new SourcePositions.Range(from, until));
      to.sort((a, b) -> Long.compare(a.from(), b.from()));
    }
  }

  /** The group's decisions: this worker's partitions come and go. */
  private final class Rebalance implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      if (assigned.isEmpty() || failure != null) {
        return;
      }
      try {
        Map<TopicPartition, OffsetAndMetadata> committed =
            consumer.committed(new HashSet<>(assigned));
        Set<TopicPartition> fresh = new HashSet<>();
        for (TopicPartition tp : assigned) {
          if (committed.get(tp) == null) {
            fresh.add(tp);
          }
        }
        Map<TopicPartition, Long> from = fresh.isEmpty() ? Map.of() : starts(fresh);
        Map<TopicPartition, Long> until = fresh.isEmpty() ? Map.of() : ends(fresh);
        Map<TopicPartition, OffsetAndMetadata> first = new HashMap<>();
        List<TopicPartition> finished = new ArrayList<>();
        synchronized (parts) {
          for (TopicPartition tp : assigned) {
            OffsetAndMetadata c = committed.get(tp);
            long f;
            long u;
            long start;
            if (c == null) {
              f = from.get(tp);
              u = Math.max(f, until.get(tp));
              start = f;
              first.put(tp, new OffsetAndMetadata(f, meta(f, u)));
            } else {
              long[] b = bounds(c.metadata());
              if (b == null) {
                failure =
                    new BadInputException(
                        at.shown()
                            + ": the group \""
                            + at.group()
                            + "\" holds offsets that shadow replay did not commit (partition "
                            + tp.partition()
                            + "): name a new group for each run (group=nightly-2026-11-26)");
                return;
              }
              f = b[0];
              u = b[1];
              start = c.offset();
            }
            Part s = parts.get(tp.partition());
            if (s == null || s.from != f || s.until != u) {
              s = new Part(tp.partition(), f, u, start);
              parts.put(tp.partition(), s);
            }
            s.resume(start);
            consumer.seek(tp, s.handed);
            if (s.handed >= u) {
              finished.add(tp);
            }
          }
          changed = true;
        }
        consumer.resume(assigned);
        consumer.pause(finished);
        if (!first.isEmpty()) {
          try {
            consumer.commitSync(first); // the bounds are the group's from now on
          } catch (CommitFailedException | RebalanceInProgressException e) {
            // workers joining together: the group rebalances again, and this partition's
            // bounds are fixed by whoever holds it then
            synchronized (parts) {
              first.keySet().forEach(tp -> parts.remove(tp.partition()));
            }
            consumer.pause(first.keySet());
          }
        }
      } catch (BadInputException e) {
        failure = e;
      } catch (InterruptException | WakeupException e) {
        throw e;
      } catch (KafkaException e) {
        failure = Clients.refused(at, e);
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      if (revoked.isEmpty() || failure != null) {
        return;
      }
      try {
        checkpoint(); // what is done is kept and committed before another worker takes it
      } catch (RuntimeException e) {
        failure = e; // the run's own error (a disk full), told as it is once poll returns
      }
      let(revoked);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      let(lost); // another worker may have them already: nothing can be committed
    }

    private void let(Collection<TopicPartition> gone) {
      synchronized (parts) {
        for (TopicPartition tp : gone) {
          Part s = parts.get(tp.partition());
          if (s != null && s.owned) {
            s.close();
          }
        }
        changed = true;
      }
      ready.removeIf(r -> gone.contains(new TopicPartition(r.topic(), r.partition())));
    }
  }

  @Override
  public void close() {
    if (consumer == null) {
      return;
    }
    try {
      if (progress != null && failure == null && !Thread.currentThread().isInterrupted()) {
        checkpoint(); // what was done before the replay stopped is kept
      }
    } catch (RuntimeException e) {
      // the run's own error is what the user sees; the group redoes what was not committed
    } finally {
      // leaving the group lets the others take this worker's partitions at once; a replay that
      // stopped has interrupted this thread, which the client would take for a reason to skip it
      boolean interrupted = Thread.interrupted();
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        // closed as far as it could: the group notices a member gone after its session timeout
      } finally {
        consumer = null;
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
