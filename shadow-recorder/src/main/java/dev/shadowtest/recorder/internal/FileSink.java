package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.ExchangeSink;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.UnwritableExchangeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Recording files (0600, gzip when the name ends in {@code .gz}), rotated after a number of
 * exchanges or bytes: {@code rec.jsonl.gz} becomes {@code rec-0001.jsonl.gz}, {@code rec-0002...}
 * when rotation is on. Every file starts with its own header line.
 */
public final class FileSink implements ExchangeSink {

  private final Path out;
  private final Redaction redaction;
  private final long rotateExchanges;
  private final long rotateBytes;
  private final Consumer<Path> onRotate;
  private final List<Path> files = new ArrayList<>();
  private RecordingWriter writer;
  private long inFile;
  private boolean broken;
  private boolean closed;

  /** {@code rotateExchanges}/{@code rotateBytes}: 0 for no rotation; {@code onRotate} gets each finished file. */
  public FileSink(
      Path out,
      Redaction redaction,
      long rotateExchanges,
      long rotateBytes,
      Consumer<Path> onRotate) {
    this.out = out;
    this.redaction = redaction;
    this.rotateExchanges = rotateExchanges;
    this.rotateBytes = rotateBytes;
    this.onRotate = onRotate;
    open();
  }

  private boolean rotating() {
    return rotateExchanges > 0 || rotateBytes > 0;
  }

  /**
   * Opens the next file: {@code out} itself without rotation, else the next free numbered name.
   * An existing recording is never overwritten (a restart after a crash keeps what was captured).
   */
  private void open() {
    Path file = out;
    if (rotating() || !files.isEmpty()) {
      String name = out.getFileName().toString();
      int dot = name.indexOf('.') < 0 ? name.length() : name.indexOf('.');
      int index = files.size() + 1;
      do {
        file =
            out.resolveSibling(
                String.format("%s-%04d%s", name.substring(0, dot), index++, name.substring(dot)));
      } while (Files.exists(file));
    } else if (Files.exists(file)) {
      throw new RecordingException(
          file,
          0,
          "already exists: a recording is never overwritten (move it away, or choose another --out)");
    }
    writer = RecordingWriter.create(file, RecordingHeader.now("recorder", redaction), 1);
    files.add(file);
    inFile = 0;
    broken = false;
  }

  @Override
  public void write(Exchange exchange) {
    if (broken) {
      open(); // after a disk error: a fresh file, never appending to a possibly torn one
    }
    try {
      writer.write(exchange);
    } catch (UnwritableExchangeException e) {
      throw e; // refused before a byte was written (too many headers for any line): the file is
      // intact
    } catch (RuntimeException e) {
      abandon();
      throw e;
    }
    rotateIfFull();
  }

  private void rotateIfFull() {
    inFile++;
    boolean full =
        rotateExchanges > 0 && inFile >= rotateExchanges
            || rotateBytes > 0 && inFile % 16 == 0 && size() >= rotateBytes;
    if (full) {
      writer.close();
      onRotate.accept(writer.file());
      open();
    }
  }

  @Override
  public void writeLine(String line) {
    if (broken) {
      open();
    }
    try {
      writer.writeLine(line);
    } catch (UnwritableExchangeException e) {
      throw e;
    } catch (RuntimeException e) {
      abandon();
      throw e;
    }
    rotateIfFull();
  }

  private long size() {
    writer.flush();
    try {
      return Files.size(writer.file());
    } catch (IOException e) {
      throw new RecordingException(writer.file(), 0, "cannot read its size: " + e.getMessage(), e);
    }
  }

  @Override
  public void flush() {
    if (broken) {
      return;
    }
    try {
      writer.flush();
    } catch (RuntimeException e) {
      abandon();
      throw e;
    }
  }

  /** The current file failed: it is closed as it is (its complete lines still replay) and left alone. */
  private void abandon() {
    broken = true;
    try {
      writer.close();
    } catch (RuntimeException ignored) {
      // the disk that failed the write may fail the close too
    }
  }

  @Override
  public void close() {
    if (!broken && !closed) {
      writer.close();
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

  public List<Path> files() {
    return List.copyOf(files);
  }
}
