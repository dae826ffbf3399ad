package dev.shadowtest.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * A file read as it is written, like {@code tail -F}: at the end of what is written so far,
 * {@link #read} waits (polling) for more instead of ending. The stream ends only when
 * {@code stopped} says so, or after {@code untilIdle} without new bytes.
 *
 * <p>Rotation, as GoReplay's file output and log rotation tools do it:
 *
 * <ul>
 *   <li><b>numbered chunks</b>: when the file's name ends in {@code _N} before its extension
 *       ({@code requests_0.gor}), the file {@code _N+1} ({@code requests_1.gor}) appearing means
 *       this one is finished: it is read to its end, then the next one from its start;
 *   <li><b>replaced</b>: the path now names another file (renamed away and created again: another
 *       file key, i.e. device and inode): the old file is read to its end, then the new one;
 *   <li><b>truncated</b> in place (its size fell below what was read): read again from its start,
 *       with a warning (bytes written between the last read and the truncation are lost).
 * </ul>
 *
 * A file that ends without {@code terminator} (cut mid-record when it was rotated) gets it
 * inserted, with a warning, so that its last record never runs into the next file's first.
 * A path that does not exist (yet, or between a rename and a re-creation) is waited for.
 *
 * <p>Not thread-safe: one reading thread; {@code stopped} may be set from any thread. The
 * listener is called on the reading thread, between two reads.
 */
public final class FollowedFile extends InputStream {

  /** What happens to the followed file, told on the reading thread. */
  public interface Listener {
    /** The bytes of {@code file}, from its start, come next, at stream offset {@code offset}. */
    void opened(Path file, long offset);

    /** About once per poll interval, whether bytes come or not. */
    void tick();

    /** At the end of the bytes written so far, before a pause: nothing new right now. */
    void waiting();

    /** Something the reader should know (a truncation, a file cut mid-record). */
    void warning(String message);
  }

  private final long pollNanos;
  private final long untilIdleNanos; // 0: never idle
  private final byte[] terminator;
  private final BooleanSupplier stopped;
  private final Listener listener;

  private Path current;
  private FileChannel channel;
  private Object key;
  private long position;
  private long delivered;
  private final byte[] tail;
  private int tailLength;
  private byte[] inject = new byte[0];
  private int injected;
  private boolean announce;
  private int finishing; // reads to the end left before moving on to next (0: not rotating)
  private Path next;
  private long lastData;
  private long lastTick;
  private int files;
  private long injectedTotal;

  /** The current file's first bytes as they were read: a file rewritten in place starts anew. */
  private final byte[] head = new byte[64];

  private int headLength;

  /** Set by a pause at the end of the file: its head is looked at before the next read. */
  private boolean checkHead;

  /**
   * The file renamed away that the follow moved on from, still open for {@link #WATCH_RENAMED}: a
   * writer that goes on writing to it (it has not reopened the file yet) writes where nothing
   * reads, which is said, not left silent. Null when there is none.
   */
  private FileChannel renamed;

  private Path renamedName;
  private long renamedRead;
  private long renamedUntil;

  /** How long a file renamed away is watched for writes after the follow moved on. */
  static final Duration WATCH_RENAMED = Duration.ofSeconds(10);

  /**
   * Follows {@code file} from its start.
   *
   * @param poll how long to sleep at the end of the written bytes before looking again
   * @param untilIdle end the stream after this long without new bytes; zero for never
   * @param terminator the bytes that end a complete file (inserted when a rotated file lacks them)
   */
  public FollowedFile(
      Path file,
      Duration poll,
      Duration untilIdle,
      byte[] terminator,
      BooleanSupplier stopped,
      Listener listener) {
    this.current = file;
    this.pollNanos = poll.toNanos();
    this.untilIdleNanos = untilIdle.toNanos();
    this.terminator = terminator.clone();
    this.tail = new byte[terminator.length];
    this.stopped = stopped;
    this.listener = listener;
    this.lastData = System.nanoTime();
    this.lastTick = lastData;
  }

  /** Files opened so far (0 while the first one does not exist). */
  public int files() {
    return files;
  }

  /** The file being read (or waited for). */
  public Path current() {
    return current;
  }

  /** Bytes read from the files so far. */
  public long bytesRead() {
    return delivered - injectedTotal;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (true) {
      if (stopped.getAsBoolean()) {
        return -1;
      }
      long now = System.nanoTime();
      if (now - lastTick >= pollNanos) {
        lastTick = now;
        listener.tick();
      }
      if (injected < inject.length) {
        int n = Math.min(len, inject.length - injected);
        System.arraycopy(inject, injected, b, off, n);
        injected += n;
        delivered += n;
        injectedTotal += n;
        return n;
      }
      if (channel == null && !open()) {
        if (idle(now) || !pause()) {
          return -1;
        }
        continue;
      }
      if (announce) {
        announce = false;
        listener.opened(current, delivered);
      }
      if (checkHead) {
        checkHead = false;
        if (rewritten()) {
          startAgain(
              channel.size() < position
                  ? "truncated in place"
                  : "rewritten in place (its first bytes changed)");
          continue;
        }
      }
      int n = channel.read(ByteBuffer.wrap(b, off, len), position);
      if (n > 0) {
        if (position < head.length) {
          int k = (int) Math.min(n, head.length - position);
          System.arraycopy(b, off, head, (int) position, k);
          headLength = (int) position + k;
        }
        position += n;
        delivered += n;
        remember(b, off, n);
        lastData = System.nanoTime();
        return n;
      }
      if (finishing > 0) {
        if (--finishing == 0) {
          moveOn();
          continue;
        }
      } else if (rotated()) {
        continue; // read to the end once more, then once after a pause, then move on
      }
      if (idle(now) || !pause()) {
        return -1;
      }
      checkHead = true;
    }
  }

  /**
   * Whether the current file no longer starts with the bytes read from its start: truncated and
   * written again past where it was read (copytruncate, a writer that reopens it for writing)
   * between two looks, which its size alone does not show.
   */
  private boolean rewritten() throws IOException {
    if (headLength == 0) {
      return false;
    }
    ByteBuffer now = ByteBuffer.allocate(headLength);
    while (now.hasRemaining() && channel.read(now, now.position()) > 0) {
      // a read may return fewer bytes
    }
    return now.hasRemaining() || !Arrays.equals(now.array(), 0, headLength, head, 0, headLength);
  }

  /** Reads the current file again from its start, with a warning. */
  private void startAgain(String what) throws IOException {
    listener.warning(
        current
            + ": "
            + what
            + " ("
            + channel.size()
            + " bytes now, "
            + position
            + " were read); reading it again from its start"
            + " (anything written just before that was not read)");
    closeRecord("truncated");
    position = 0;
    tailLength = 0;
    headLength = 0;
    announce = true;
    lastData = System.nanoTime(); // news: never idle before the new bytes are read
  }

  private boolean idle(long now) {
    return untilIdleNanos > 0 && now - lastData >= untilIdleNanos;
  }

  /** Sleeps one poll interval; false when interrupted (the stream then ends). */
  private boolean pause() {
    watchRenamed();
    listener.waiting();
    try {
      Thread.sleep(Math.max(1, pollNanos / 1_000_000));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private boolean open() throws IOException {
    try {
      channel = FileChannel.open(current, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return false;
    }
    try {
      key = Files.readAttributes(current, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      key = null; // renamed away already: read what it holds, the next look sees the new one
    }
    position = 0;
    tailLength = 0;
    headLength = 0;
    checkHead = false;
    announce = true;
    files++;
    lastData = System.nanoTime();
    return true;
  }

  /**
   * True when the current file was rotated and is to be finished (read to its end, then again
   * after a pause: a writer may not have reopened yet) before moving on; a truncation is handled
   * here (read again from the start).
   */
  private boolean rotated() throws IOException {
    if (channel.size() < position) {
      startAgain("truncated in place");
      return true;
    }
    Path successor = successor(current);
    if (successor != null && Files.exists(successor)) {
      next = successor;
      finishing = 2;
      lastData = System.nanoTime();
      return true;
    }
    Object now;
    try {
      now = Files.readAttributes(current, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      return false; // renamed away: the old file is read as it is until a new one appears
    }
    if (now != null && key != null && !now.equals(key)) {
      next = current;
      finishing = 2;
      lastData = System.nanoTime();
      return true;
    }
    return false;
  }

  /** Says once when the file renamed away grew after the follow moved on; then stops watching. */
  private void watchRenamed() {
    if (renamed == null) {
      return;
    }
    try {
      long size = renamed.size();
      if (size > renamedRead) {
        listener.warning(
            renamedName
                + " (renamed away): "
                + (size - renamedRead)
                + " byte(s) were written to it after the follow had moved on to the new "
                + renamedName.getFileName()
                + "; they were not read (the writer reopens its file late: import the renamed"
                + " file's end on its own)");
      } else if (System.nanoTime() - renamedUntil < 0) {
        return; // still watched
      }
    } catch (IOException e) {
      // gone: nothing more to say
    }
    closeRenamed();
  }

  private void closeRenamed() {
    if (renamed == null) {
      return;
    }
    try {
      renamed.close();
    } catch (IOException e) {
      // only read
    }
    renamed = null;
  }

  private void moveOn() throws IOException {
    if (next.equals(current)) { // renamed away: watched for late writes
      closeRenamed();
      renamed = channel;
      renamedName = current;
      renamedRead = position;
      renamedUntil = System.nanoTime() + WATCH_RENAMED.toNanos();
    } else {
      channel.close();
    }
    channel = null;
    closeRecord(next.equals(current) ? "replaced" : "followed by " + next.getFileName());
    current = next;
    next = null;
  }

  /** Inserts the terminator when the file read so far does not end with it. */
  private void closeRecord(String why) {
    if (tailLength == 0 || endsWithTerminator()) {
      return;
    }
    boolean lineEnded = tail[tailLength - 1] == '\n' && terminator[0] == '\n';
    inject = lineEnded ? Arrays.copyOfRange(terminator, 1, terminator.length) : terminator;
    injected = 0;
    listener.warning(
        current
            + ": "
            + why
            + " in the middle of a record (at byte "
            + position
            + "); the record was closed there");
  }

  private boolean endsWithTerminator() {
    return tailLength == tail.length && Arrays.equals(tail, terminator);
  }

  private void remember(byte[] b, int off, int n) {
    if (n >= tail.length) {
      System.arraycopy(b, off + n - tail.length, tail, 0, tail.length);
      tailLength = tail.length;
      return;
    }
    int keep = Math.min(tailLength, tail.length - n);
    System.arraycopy(tail, tailLength - keep, tail, 0, keep);
    System.arraycopy(b, off, tail, keep, n);
    tailLength = keep + n;
  }

  /**
   * The next chunk after {@code file} as GoReplay names them ({@code requests_0.gor} →
   * {@code requests_1.gor}: the number after the last '_' before the extension), or null when the
   * name carries no chunk number.
   */
  public static Path successor(Path file) {
    Path name = file.getFileName();
    if (name == null) {
      return null;
    }
    String s = name.toString();
    int dot = s.lastIndexOf('.');
    String ext = dot < 0 ? "" : s.substring(dot);
    String base = dot < 0 ? s : s.substring(0, dot);
    int underscore = base.lastIndexOf('_');
    if (underscore < 0 || underscore == base.length() - 1) {
      return null;
    }
    String digits = base.substring(underscore + 1);
    if (digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    int index = Integer.parseInt(digits);
    return file.resolveSibling(base.substring(0, underscore + 1) + (index + 1) + ext);
  }

  /**
   * The first chunk GoReplay writes for the {@code --output-file} {@code template}
   * ({@code requests.gor} → {@code requests_0.gor}).
   */
  public static Path firstChunk(Path template) {
    String s = template.getFileName().toString();
    int dot = s.lastIndexOf('.');
    String name = dot < 0 ? s + "_0" : s.substring(0, dot) + "_0" + s.substring(dot);
    return template.resolveSibling(name);
  }

  @Override
  public void close() throws IOException {
    closeRenamed();
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }
}
