package dev.shadowtest.recorder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus' own {@code promtool} (Debian's prometheus package), run on what Shadow writes. Where
 * it is not on the PATH the test is skipped, or fails when SHADOW_REQUIRE_PROMTOOL=1 (.ci/run sets
 * it and installs the package).
 */
public final class Promtool {

  /** What promtool said (stdout and stderr) and its exit code. */
  public record Outcome(int exitCode, String said) {}

  private Promtool() {}

  /** {@code promtool ARGS...} with {@code stdin} piped in, bounded to 30 seconds. */
  public static Outcome run(String stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(path().toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      // promtool's answers are short: read after it ends, and never wait longer than this
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
      return new Outcome(
          p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  static Path path() {
    String searched = System.getenv("PATH");
    if (searched != null) {
      for (String dir : searched.split(File.pathSeparator)) {
        Path candidate = Path.of(dir.isEmpty() ? "." : dir, "promtool");
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    if ("1".equals(System.getenv("SHADOW_REQUIRE_PROMTOOL"))) {
      throw new IllegalStateException(
          "SHADOW_REQUIRE_PROMTOOL=1 but promtool is not on the PATH: apt-get install -y"
              + " prometheus");
    }
    return Assumptions.abort("promtool is not on the PATH (apt-get install -y prometheus)");
  }
}
