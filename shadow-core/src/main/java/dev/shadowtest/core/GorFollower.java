package dev.shadowtest.core;

import dev.shadowtest.core.internal.FollowedFile;
import dev.shadowtest.core.internal.LineSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Imports a GoReplay capture continuously, as GoReplay writes it ({@code gor --input-raw :80
 * --output-file requests.gor}): passive capture, with nothing of Shadow on the live path. The
 * payloads are read as {@link GorImporter} reads a finished file and written to the recording
 * redacted the same way, as soon as a request has its response.
 *
 * <ul>
 *   <li>A payload is parsed only once its separator line was written: a payload GoReplay is still
 *       writing is waited for, never parsed half-written.
 *   <li>A request waits for its response at most {@link Options#responseWait()} (30 s by default),
 *       and within the batch import's bounds (100,000 requests, 64 MiB); then it is written without
 *       one, with the error {@value GorImporter#NO_RESPONSE}, as the batch import does at the end of
 *       a file.
 *   <li>Rotation: GoReplay's numbered chunks ({@code requests_0.gor}, then {@code requests_1.gor}
 *       ... when {@code --output-file-size-limit} or {@code --output-file-queue-limit} is reached),
 *       a file renamed away and created again under the same name, and a truncation in place. A
 *       rotated file is read to its end before the next one. Date placeholders ({@code %Y},
 *       {@code %H}...) start a new series of names, which is not followed; gzip output
 *       ({@code .gz}) cannot be followed.
 *   <li>The recording is flushed whenever the capture has nothing new, and at least once a second
 *       while it streams (gzip with a sync flush: a reader sees what was written), and is complete when {@link #run} returns: after {@link #stop()} (a
 *       shutdown hook), or after {@link Options#untilIdle()} without new bytes.
 * </ul>
 *
 * <pre>{@code
 * GorFollower f = GorFollower.create(Path.of("requests_0.gor"), Path.of("rec.jsonl.gz"),
 *     ImportOptions.defaults(), GorFollower.Options.defaults());
 * Runtime.getRuntime().addShutdownHook(new Thread(f::stop)); // and wait for run() to return
 * ImportResult r = f.run(System.err::println, w -> System.err.println("warning: " + w));
 * }</pre>
 */
public final class GorFollower {

  /** How long to sleep at the end of the written bytes before looking again. */
  static final Duration POLL = Duration.ofMillis(100);

  /** The recording is flushed at least this often when something was written. */
  static final Duration FLUSH_EVERY = Duration.ofSeconds(1);

  /**
   * How a follow ends and waits.
   *
   * @param untilIdle     end after this long without a new byte in the capture; zero: only on
   *                      {@link #stop()}
   * @param responseWait  how long (wall-clock) a request waits for its response before it is
   *                      written without one; positive
   * @param progressEvery how often {@link #run}'s progress consumer is called; zero: only at the end
   */
  public record Options(Duration untilIdle, Duration responseWait, Duration progressEvery) {

    public Options {
      Objects.requireNonNull(untilIdle, "untilIdle");
      Objects.requireNonNull(responseWait, "responseWait");
      Objects.requireNonNull(progressEvery, "progressEvery");
      if (untilIdle.isNegative() || progressEvery.isNegative()) {
        throw new BadInputException("untilIdle and progressEvery must be zero or positive");
      }
      if (responseWait.isNegative() || responseWait.isZero()) {
        throw new BadInputException("the response wait must be positive, got " + responseWait);
      }
    }

    /** Until stopped; a request waits 30 s for its response; progress every 10 s. */
    public static Options defaults() {
      return new Options(Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    public Options withUntilIdle(Duration d) {
      return new Options(d, responseWait, progressEvery);
    }

    public Options withResponseWait(Duration d) {
      return new Options(untilIdle, d, progressEvery);
    }

    public Options withProgressEvery(Duration d) {
      return new Options(untilIdle, responseWait, d);
    }
  }

  /**
   * Counters of a follow at one moment.
   *
   * @param exchanges       written to the recording
   * @param withoutResponse of those, written without a response
   * @param held            requests held for their response
   * @param bytesRead       bytes read from the capture files
   * @param files           capture files opened (rotations count)
   * @param file            the capture file being read
   * @param finished        the follow has ended and the recording is complete
   */
  public record Progress(
      long exchanges,
      long withoutResponse,
      int held,
      long bytesRead,
      int files,
      Path file,
      boolean finished) {

    @Override
    public String toString() {
      return (finished ? "finished: " : "")
          + exchanges
          + " exchange(s) written ("
          + withoutResponse
          + " without response), "
          + held
          + " request(s) waiting for their response, "
          + bytesRead
          + " byte(s) read from "
          + files
          + " file(s)"
          + (finished ? "" : ", reading " + file);
    }
  }

  private final Path gor;
  private final Path out;
  private final ImportOptions options;
  private final Options follow;
  private volatile boolean stopped;

  private GorFollower(Path gor, Path out, ImportOptions options, Options follow) {
    this.gor = gor;
    this.out = out;
    this.options = options;
    this.follow = follow;
  }

  /**
   * A follow of {@code gor} into the recording {@code out} (gzip if it ends in .gz), checked now:
   * a gzip capture, a capture whose directory does not exist, and an output that exists (without
   * {@link ImportOptions#overwrite()}), is a directory or is the capture are refused. A capture
   * that does not exist yet is waited for.
   */
  public static GorFollower create(Path gor, Path out, ImportOptions options, Options follow) {
    if (RecordingWriter.isGzip(gor)) {
      throw new RecordingException(
          gor,
          0,
          "a gzip-compressed capture cannot be followed as it grows; give GoReplay an"
              + " uncompressed --output-file (not .gz) to follow, or import finished .gz files"
              + " without --follow");
    }
    Path dir = gor.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new RecordingException(gor, 0, "no such directory: " + dir);
    }
    if (Files.isDirectory(gor)) {
      throw new RecordingException(gor, 0, "is a directory, expected a GoReplay file");
    }
    if (!Files.exists(gor)
        && FollowedFile.successor(gor) == null
        && Files.exists(FollowedFile.firstChunk(gor))) {
      throw new RecordingException(
          gor,
          0,
          "no such file, but "
              + FollowedFile.firstChunk(gor).getFileName()
              + " is there: GoReplay numbers the files of --output-file "
              + gor.getFileName()
              + " (_0, _1...); follow the first one, the others come in turn");
    }
    Imports.checkOutput(gor, out, options.overwrite());
    return new GorFollower(gor, out, options, follow);
  }

  /** Ends the follow: {@link #run} writes the held requests, closes the recording and returns. */
  public void stop() {
    stopped = true;
  }

  /**
   * Follows the capture until {@link #stop()} or {@link Options#untilIdle()}; returns what was
   * written. {@code progress} is called every {@link Options#progressEvery()} and once at the end,
   * {@code warnings} as they come; both on this thread. The recording is created at once (0600)
   * and written as the capture grows.
   *
   * @throws RecordingException when the capture is not GoReplay (the file and line named), cannot
   *     be read, or never appeared before the idle time passed; the recording then keeps, complete,
   *     what was written before
   */
  public ImportResult run(Consumer<Progress> progress, Consumer<String> warnings) {
    Imports.Warnings kept = new Imports.Warnings();
    State[] holder = new State[1];
    Consumer<String> warn =
        w -> {
          if (holder[0] != null && holder[0].in != null && holder[0].in.files() == 0) {
            return; // the file never appeared: that is the error, not "no payloads found"
          }
          kept.accept(w);
          warnings.accept(w);
        };
    RecordingWriter writer = open(options.header("import:gor"));
    Imports.Output output = new Imports.Output(writer, options);
    State state = new State(writer, output, progress, warn);
    holder[0] = state;
    FollowedFile in =
        new FollowedFile(
            gor, POLL, follow.untilIdle(), GorImporter.PAYLOAD_END, () -> stopped, state);
    state.in = in;
    Imports.BodyLimit limit = new Imports.BodyLimit(options.maxBody());
    try (writer;
        LineSource lines = new LineSource(in, GorImporter.maxPayload(options.maxBody()))) {
      state.run =
          new GorImporter.Run(gor, lines, limit, state::write, warn)
              .following(follow.responseWait());
      state.run.run();
      limit.report(in.current(), warn);
    } catch (IOException e) {
      throw new RecordingException(
          in.current(), 0, "cannot read: " + RecordingWriter.describe(e), e);
    }
    if (in.files() == 0) {
      Imports.deleteQuietly(out);
      throw new RecordingException(
          gor, 0, "no such file (it did not appear before the follow ended)");
    }
    ImportResult result = output.result(out, kept, new Imports.Skips());
    progress.accept(state.progress(true));
    return result;
  }

  /**
   * The recording, with its header line, in place: written to a hidden sibling first, so that a
   * reader never sees the file without its header; then the writer goes on in place.
   */
  private RecordingWriter open(RecordingHeader header) {
    Path temp = SecureFiles.temporarySibling(out);
    RecordingWriter writer =
        RecordingWriter.createTemporary(temp, header, RecordingWriter.isGzip(out));
    try {
      writer.flush();
      Imports.commit(temp, out, options.overwrite());
    } catch (RuntimeException e) {
      writer.close();
      Imports.deleteQuietly(temp);
      throw e;
    }
    return writer;
  }

  /** The follow's moving parts, told by the followed file what happens. */
  private final class State implements FollowedFile.Listener {
    private final RecordingWriter writer;
    private final Imports.Output output;
    private final Consumer<Progress> progress;
    private final Consumer<String> warnings;
    FollowedFile in;
    GorImporter.Run run;
    private boolean dirty;
    private long lastFlush = System.nanoTime();
    private long lastProgress = lastFlush;

    State(
        RecordingWriter writer,
        Imports.Output output,
        Consumer<Progress> progress,
        Consumer<String> warnings) {
      this.writer = writer;
      this.output = output;
      this.progress = progress;
      this.warnings = warnings;
    }

    void write(Exchange e) {
      output.accept(e);
      dirty = true;
      flushIfDue();
    }

    private void flushIfDue() {
      long now = System.nanoTime();
      if (dirty && now - lastFlush >= FLUSH_EVERY.toNanos()) {
        writer.flush();
        dirty = false;
        lastFlush = now;
      }
    }

    @Override
    public void opened(Path file, long offset) {
      if (run != null) {
        run.startFile(file, offset);
      }
    }

    @Override
    public void tick() {
      if (run != null) {
        run.expireHeld();
      }
      flushIfDue();
      long every = follow.progressEvery().toNanos();
      long now = System.nanoTime();
      if (every > 0 && now - lastProgress >= every) {
        lastProgress = now;
        progress.accept(progress(false));
      }
    }

    @Override
    public void waiting() {
      if (run != null) {
        run.settle(); // nothing more is coming right now: a separator in question is one
      }
      if (dirty) { // nothing more is coming right now: let readers see what there is
        writer.flush();
        dirty = false;
        lastFlush = System.nanoTime();
      }
    }

    @Override
    public void warning(String message) {
      warnings.accept(message);
    }

    Progress progress(boolean finished) {
      return new Progress(
          output.written(),
          output.withoutResponse(),
          run == null ? 0 : run.held(),
          in.bytesRead(),
          in.files(),
          in.current(),
          finished);
    }
  }
}
