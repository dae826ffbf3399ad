package dev.shadowtest.core;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** Plumbing shared by the importers and the exporter: check the output, redact, write to a hidden temporary file, then commit. */
final class Imports {

  /**
   * Warnings kept per import; beyond, they are counted (a HAR of a million {@code data:} URLs
   * must not become a million strings in memory).
   */
  static final int MAX_WARNINGS = 100;

  private Imports() {}

  /** A source of exchanges that reports warnings and skipped entries as it goes. */
  interface Source {
    void read(Consumer<Exchange> sink, Consumer<String> warnings, Skips skips);
  }

  /** Input entries left out, counted by reason (the warning is the importer's). */
  static final class Skips {
    private final Map<String, Long> byReason = new LinkedHashMap<>();

    void add(String reason) {
      byReason.merge(reason, 1L, Long::sum);
    }

    Map<String, Long> counts() {
      return byReason;
    }
  }

  /**
   * Writes every exchange of {@code source} (read from {@code in}), redacted, to {@code out}.
   * The output appears only when the whole input was read; on an error nothing is left behind.
   */
  static ImportResult write(
      Path in, Path out, String sourceName, ImportOptions options, Source source) {
    checkOutput(in, out, options.overwrite());
    Warnings warnings = new Warnings();
    Path temp = SecureFiles.temporarySibling(out);
    Skips skips = new Skips();
    Output output;
    try (RecordingWriter w =
        RecordingWriter.createTemporary(
            temp, options.header(sourceName), RecordingWriter.isGzip(out))) {
      output = new Output(w, options);
      source.read(output, warnings, skips);
    } catch (RuntimeException | Error e) {
      deleteQuietly(temp);
      throw e;
    }
    commit(temp, out, options.overwrite());
    return output.result(out, warnings, skips);
  }

  /**
   * The exchanges of an import on their way to the recording: redacted, counted (without
   * response, {@code import.*} decisions), written. The batch import and the follow of a
   * GoReplay capture both write through it.
   */
  static final class Output implements Consumer<Exchange> {
    private final RecordingWriter writer;
    private final UnaryOperator<Exchange> redaction;
    private final Map<String, Long> adjusted = new LinkedHashMap<>();
    private long withoutResponse;
    private long adjustedExchanges;

    Output(RecordingWriter writer, ImportOptions options) {
      this.writer = writer;
      this.redaction = options.redactor();
    }

    @Override
    public void accept(Exchange e) {
      if (e.response() == null) {
        withoutResponse++;
      }
      boolean any = false;
      for (String tag : e.tags().keySet()) {
        if (tag.startsWith(ImportResult.TAG_PREFIX)) {
          adjusted.merge(tag, 1L, Long::sum);
          any = true;
        }
      }
      if (any) {
        adjustedExchanges++;
      }
      writer.write(redaction.apply(e));
    }

    long written() {
      return writer.count();
    }

    long withoutResponse() {
      return withoutResponse;
    }

    /** What was written to {@code out}, with the warning about bodies cut to fit a line. */
    ImportResult result(Path out, Warnings warnings, Skips skips) {
      long cut = writer.cutToFit();
      if (cut > 0) {
        warnings.accept(
            out
                + ": "
                + cut
                + " exchange(s) had bodies cut to fit a recording line ("
                + (RecordingWriter.MAX_LINE_BYTES >> 20)
                + " MiB)");
      }
      return new ImportResult(
          out,
          writer.count(),
          withoutResponse,
          warnings.list(),
          skips.counts(),
          adjusted,
          adjustedExchanges);
    }
  }

  /**
   * Refuses, before anything is created: an output that is a directory, that is the input itself
   * (real paths compared: symbolic links and {@code ..} resolved; hard links too), or that exists
   * when {@code overwrite} is off.
   */
  static void checkOutput(Path in, Path out, boolean overwrite) {
    if (Files.isDirectory(out)) {
      throw new RecordingException(out, 0, "is a directory, expected a file to write");
    }
    if (sameFile(in, out)) {
      throw new RecordingException(
          out,
          0,
          "is the input file; an import or export never writes over its input, even with --force");
    }
    if (!overwrite && Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      throw new RecordingException(out, 0, "already exists; not overwritten (--force replaces it)");
    }
  }

  private static boolean sameFile(Path in, Path out) {
    try {
      Path input = in.toRealPath();
      Path parent = out.toAbsolutePath().getParent();
      Path output =
          Files.exists(out)
              ? out.toRealPath()
              : parent != null && Files.isDirectory(parent)
                  ? parent.toRealPath().resolve(out.getFileName())
                  : out.toAbsolutePath().normalize();
      return input.equals(output) || Files.exists(out) && Files.isSameFile(in, out);
    } catch (NoSuchFileException e) {
      return false; // no input: reading it says so
    } catch (IOException e) {
      throw new RecordingException(
          out, 0, "cannot check the output: " + RecordingWriter.describe(e), e);
    }
  }

  /** Moves the finished temporary file into place; without {@code overwrite}, never over a file created meanwhile. */
  static void commit(Path temp, Path out, boolean overwrite) {
    try {
      if (overwrite) {
        SecureFiles.commit(temp, out);
      } else {
        SecureFiles.commitNew(temp, out);
      }
    } catch (FileAlreadyExistsException e) {
      deleteQuietly(temp);
      throw new RecordingException(
          out,
          0,
          "already exists (created while writing); not overwritten (--force replaces it)",
          e);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new RecordingException(out, 0, "cannot write: " + RecordingWriter.describe(e), e);
    }
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: the temporary file is hidden and owner-only
    }
  }

  /** The first {@link #MAX_WARNINGS} warnings, then a count. */
  static final class Warnings implements Consumer<String> {
    private final List<String> kept = new ArrayList<>();
    private long dropped;

    @Override
    public void accept(String warning) {
      if (kept.size() < MAX_WARNINGS) {
        kept.add(warning);
      } else {
        dropped++;
      }
    }

    List<String> list() {
      if (dropped == 0) {
        return kept;
      }
      List<String> all = new ArrayList<>(kept);
      all.add(dropped + " more warning(s) not listed");
      return all;
    }
  }

  /**
   * Cuts bodies to the import's body limit, flagged truncated with their real size, and counts
   * them for one warning per import.
   */
  static final class BodyLimit {
    final long max;
    private long cut;

    BodyLimit(long max) {
      this.max = max;
    }

    /** {@code body}, or its first {@link #max} bytes when longer, flagged truncated with its real size. */
    Body apply(Body body) {
      if (body instanceof Body.None || body instanceof Body.NotCaptured) {
        return body;
      }
      int stored = body instanceof Body.Binary b ? b.unsafeBytes().length : -1;
      if (stored >= 0 && stored <= max) {
        return body;
      }
      if (body instanceof Body.Text t && t.text().length() * 3L <= max) {
        return body; // UTF-8 takes at most 3 bytes per char: no need to encode it
      }
      byte[] bytes = body.bytes();
      return bytes.length <= max ? body : of(bytes, bytes.length, body.size());
    }

    /**
     * A body of {@code size} bytes, of which {@code bytes} are at hand (a prefix when the input
     * was cut before it was parsed): at most its first {@link #max} bytes, flagged truncated with
     * {@code declared} when that is larger still (the tool that wrote the input kept less).
     */
    Body of(byte[] bytes, long size, long declared) {
      long real = Math.max(declared, Math.max(size, bytes.length));
      if (Math.max(size, bytes.length) <= max) {
        return Body.of(bytes, real);
      }
      cut++;
      return Body.of(bytes.length <= max ? bytes : Arrays.copyOf(bytes, (int) max), real);
    }

    /** The one warning of an import that cut bodies, or nothing. */
    void report(Path file, Consumer<String> warnings) {
      if (cut > 0) {
        warnings.accept(
            file
                + ": "
                + (cut == 1 ? "1 body" : cut + " bodies")
                + " longer than "
                + max
                + " bytes "
                + (cut == 1 ? "was" : "were")
                + " cut to "
                + max
                + " bytes (flagged truncated, with the real size)");
      }
    }
  }
}
