package dev.shadowtest.core;

import dev.shadowtest.core.internal.SecureFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Plumbing shared by the importers: redact, write to a hidden temporary file, then commit. */
final class Imports {

  private Imports() {}

  /** A source of exchanges that reports warnings as it goes. */
  interface Source {
    void read(Consumer<Exchange> sink, Consumer<String> warnings);
  }

  /**
   * Writes every exchange of {@code source}, redacted, to {@code out}. The output appears only
   * when the whole input was read; on an error nothing is left behind.
   */
  static ImportResult write(Path out, String sourceName, Redaction redaction, Source source) {
    if (Files.isDirectory(out)) {
      throw new RecordingException(out, 0, "is a directory, expected a file to write");
    }
    List<String> warnings = new ArrayList<>();
    Path temp = SecureFiles.temporarySibling(out);
    long[] withoutResponse = new long[1];
    long count;
    try (RecordingWriter w = RecordingWriter.createTemporary(temp, RecordingHeader.now(sourceName, redaction),
        RecordingWriter.isGzip(out))) {
      source.read(e -> {
        if (e.response() == null) {
          withoutResponse[0]++;
        }
        w.write(redaction.apply(e));
      }, warnings::add);
      count = w.count();
    } catch (RuntimeException | Error e) {
      deleteQuietly(temp);
      throw e;
    }
    try {
      SecureFiles.commit(temp, out);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new RecordingException(out, 0, "cannot write: " + RecordingWriter.describe(e), e);
    }
    return new ImportResult(out, count, withoutResponse[0], warnings);
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: the temporary file is hidden and owner-only
    }
  }
}
