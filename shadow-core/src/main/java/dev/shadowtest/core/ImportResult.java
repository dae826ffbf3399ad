package dev.shadowtest.core;

import java.nio.file.Path;
import java.util.List;

/**
 * What an import or export did: the file written, how many exchanges went into it, how many of
 * those have no response, and warnings about anything that was not carried over exactly.
 */
public record ImportResult(Path output, long exchanges, long withoutResponse, List<String> warnings) {
  public ImportResult {
    warnings = List.copyOf(warnings);
  }
}
