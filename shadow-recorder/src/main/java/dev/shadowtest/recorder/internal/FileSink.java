package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.core.UnwritableExchangeException;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * Recording files (0600, gzip when the name ends in {@code .gz}), rotated after a number of
 * exchanges or bytes: {@code rec.jsonl.gz} becomes {@code rec-0001.jsonl.gz}, {@code rec-0002...}
 * when rotation is on. Every file starts with its own header line. It appends batches of lines
 * encoded elsewhere ({@link CaptureWriter}'s encoders): for gzip, each batch is one complete gzip
 * member, so a file is a valid gzip stream after every batch. Written unbuffered: each batch
 * reaches the operating system at once. One writer at a time.
 */
public final class FileSink {

  private final Path out;
  private final Supplier<RecordingHeader> header;
  private final long rotateExchanges;
  private final long rotateBytes;
  private final Consumer<Path> onRotate;
  private final boolean gzip;
  private final List<Path> files = new ArrayList<>();
  private OutputStream stream;
  private Path file;
  private long inFile; // exchanges written to the current file
  private long takenInFile; // exchanges handed to the current file, written or lost
  private long bytesInFile;
  private boolean broken;
  private boolean closed;

  /**
   * {@code header} gives each file's header line when it is started (its version says how lines are
   * encoded); {@code rotateExchanges}/{@code rotateBytes}: 0 for no rotation; {@code onRotate} gets
   * each finished file.
   */
  public FileSink(
      Path out,
      Supplier<RecordingHeader> header,
      long rotateExchanges,
      long rotateBytes,
      Consumer<Path> onRotate) {
    this.out = out;
    this.header = header;
    this.rotateExchanges = rotateExchanges;
    this.rotateBytes = rotateBytes;
    this.onRotate = onRotate;
    this.gzip = RecordingWriter.isGzip(out);
    open();
  }

  /**
   * The header line of the next file, created now: what its lines are encoded for (version 2:
   * raw bodies).
   */
  public RecordingHeader header() {
    return header.get();
  }

  /** True when the files are gzip: batches must be gzip members. */
  public boolean gzip() {
    return gzip;
  }

  /** Exchanges per file with rotation by count, else 0. */
  public long rotateExchanges() {
    return rotateExchanges;
  }

  private boolean rotating() {
    return rotateExchanges > 0 || rotateBytes > 0;
  }

  /**
   * Opens the next file: {@code out} itself without rotation, else the next free numbered name.
   * An existing recording is never overwritten (a restart after a crash keeps what was captured).
   */
  private void open() {
    Path next = out;
    if (rotating() || !files.isEmpty()) {
      String name = out.getFileName().toString();
      int dot = name.indexOf('.') < 0 ? name.length() : name.indexOf('.');
      int index = files.size() + 1;
      do {
        next =
            out.resolveSibling(
                String.format("%s-%04d%s", name.substring(0, dot), index++, name.substring(dot)));
      } while (Files.exists(next));
    } else if (Files.exists(next)) {
      throw new RecordingException(
          next,
          0,
          "already exists: a recording is never overwritten (move it away, or choose another --out)");
    }
    byte[] header = RecordingWriter.headerLine(header());
    OutputStream s = null;
    try {
      s = SecureFiles.newOutputStream(next);
      if (gzip) {
        GzipMembers member = new GzipMembers(1);
        try {
          member.compress(header, header.length);
          s.write(member.bytes(), 0, member.length());
          bytesInFile = member.length();
        } finally {
          member.end();
        }
      } else {
        s.write(header);
        bytesInFile = header.length;
      }
    } catch (IOException e) {
      closeQuietly(s);
      throw new RecordingException(next, 0, "cannot write: " + e.getMessage(), e);
    }
    stream = s;
    file = next;
    synchronized (this) {
      files.add(next);
    }
    inFile = 0;
    takenInFile = 0;
    broken = false;
  }

  /**
   * Appends {@code lines} exchanges encoded in {@code data[0, length)} (a gzip member for gzip
   * files), which stand for {@code taken} captured exchanges (the others were lost and counted).
   */
  public void append(byte[] data, int length, int lines, int taken) {
    if (broken) {
      open(); // after a disk error: a fresh file, never appending to a possibly torn one
    }
    try {
      stream.write(data, 0, length);
    } catch (IOException e) {
      abandon();
      throw new RecordingException(file, 0, "cannot write: " + e.getMessage(), e);
    }
    inFile += lines;
    bytesInFile += length;
    skip(taken);
  }

  /**
   * Appends one large exchange, encoded and compressed (one gzip member) straight into the file
   * as it is written: no copy of its line in memory.
   *
   * @throws UnwritableExchangeException before anything reaches the file
   */
  public void appendStreamed(Exchange exchange) {
    if (broken) {
      open();
    }
    long[] written = {0};
    OutputStream target =
        new FilterOutputStream(stream) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            written[0] += len;
          }

          @Override
          public void close() throws IOException {
            flush(); // the file stays open
          }
        };
    // buffered first: a refusal before the first line byte leaves the file as it was
    BufferedOutputStream buffered = new BufferedOutputStream(target, 1 << 16);
    LevelOneGzip compressing = null;
    try {
      compressing = gzip ? new LevelOneGzip(buffered) : null;
      OutputStream out = gzip ? compressing : buffered;
      RecordingWriter writer = RecordingWriter.lines(out, header());
      writer.write(exchange);
      writer.close(); // the member's trailer; flushed through to the file, which stays open
    } catch (UnwritableExchangeException e) {
      if (written[0] > 0) {
        abandon();
      }
      throw e;
    } catch (IOException | RuntimeException e) {
      abandon();
      throw new RecordingException(file, 0, "cannot write: " + e.getMessage(), e);
    } finally {
      if (compressing != null) {
        compressing.end(); // its native memory, now (after a close, a no-op)
      }
    }
    inFile++;
    bytesInFile += written[0];
    skip(1);
  }

  /** Gzip at level 1, the recorder's speed. */
  private static final class LevelOneGzip extends GZIPOutputStream {
    LevelOneGzip(OutputStream out) throws IOException {
      super(out, 1 << 16);
      def.setLevel(1);
    }

    void end() {
      def.end();
    }
  }

  /**
   * Counts {@code taken} exchanges handed to this file that were all lost: rotation by count stays
   * exact. Never throws: a rotation that fails (the next file cannot be created) leaves the sink
   * broken, and the next batch tries a fresh file again (or is counted as a write error).
   */
  public void skip(int taken) {
    takenInFile += taken;
    boolean full =
        rotateExchanges > 0 && takenInFile >= rotateExchanges
            || rotateBytes > 0 && bytesInFile >= rotateBytes;
    if (full && !broken) {
      Path finished = file;
      try {
        closeStream();
      } catch (RuntimeException e) {
        abandon();
        return;
      }
      broken = true; // until the next file is open
      onRotate.accept(finished);
      try {
        open();
      } catch (RuntimeException e) {
        // broken: the next batch tries again
      }
    }
  }

  /** The current file failed: it is closed as it is (its complete lines still replay) and left alone. */
  private void abandon() {
    broken = true;
    closeQuietly(stream);
  }

  private void closeStream() {
    try {
      stream.close();
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot close: " + e.getMessage(), e);
    }
  }

  public void close() {
    if (!broken && !closed) {
      closeStream();
    }
    closed = true;
  }

  /**
   * Closes, and deletes the current file when it holds no exchange: a recorder that could not
   * start leaves nothing behind (an empty file would block the retry: recordings are never
   * overwritten).
   */
  public void discardIfEmpty() throws IOException {
    close();
    if (inFile == 0 && !files.isEmpty()) {
      Files.deleteIfExists(files.remove(files.size() - 1));
    }
  }

  public synchronized List<Path> files() {
    return List.copyOf(files);
  }

  private static void closeQuietly(OutputStream s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already failing
      }
    }
  }
}
