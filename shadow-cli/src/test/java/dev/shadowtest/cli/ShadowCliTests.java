package dev.shadowtest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.UnwritableExchangeException;
import dev.shadowtest.diff.RulesException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShadowCliTests {

  /** The example files shipped in the repository, which the README's commands use. */
  static final Path EXAMPLES = Path.of("..", "examples");

  static final String HEADER =
      "{\"format\":\"shadow-recording\",\"version\":1,\"source\":\"test\"}";

  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run shadow(Object... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] strings = Arrays.stream(args).map(String::valueOf).toArray(String[]::new);
    int code = Shadow.run(strings, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void exitCodesAreDecidedInOnePlaceAndABugIsNeverBadInput() {
    assertThat(Shadow.exitCode(new BadInputException("--rate must be positive"))).isEqualTo(2);
    assertThat(Shadow.exitCode(new RecordingException(Path.of("rec.jsonl"), 3, "bad line")))
        .isEqualTo(2);
    assertThat(Shadow.exitCode(new RulesException("rules.yaml", 4, "ignore", "bad path")))
        .isEqualTo(2);
    assertThat(Shadow.exitCode(new UnwritableExchangeException("too many headers"))).isEqualTo(2);
    // what Shadow did not expect is a bug: exit 3, even when the JDK calls it an "illegal argument"
    assertThat(Shadow.exitCode(new IllegalArgumentException("index out of range"))).isEqualTo(3);
    assertThat(Shadow.exitCode(new IllegalStateException("closed"))).isEqualTo(3);
    assertThat(Shadow.exitCode(new NullPointerException())).isEqualTo(3);
  }

  /**
   * The CLI in a JVM of its own ({@code heap}, e.g. {@code -Xmx64m}, or null for the default),
   * for tests that signal it, bound its memory or read its output as it comes.
   */
  static ProcessBuilder process(String heap, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (heap != null) {
      command.add(heap);
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Shadow.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  /** Reads a child process's output lines into {@code lines} on a thread of its own (started). */
  static Thread readLines(Process p, BlockingQueue<String> lines) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                  lines.add(l);
                }
              } catch (IOException e) {
                // the process ended
              }
            });
    reader.start();
    return reader;
  }

  static String line(int i) {
    return "{\"id\":\"e"
        + i
        + "\",\"request\":{\"method\":\"GET\",\"target\":\"/x\"},\"response\":{\"status\":200}}";
  }

  @Test
  void importExportImportOfTheExampleHarGivesEqualRecordings() throws IOException {
    Path r = dir.resolve("r.jsonl");
    Path back = dir.resolve("back.har");
    Path r2 = dir.resolve("r2.jsonl");
    Run imported = shadow("import", "--from", "har", EXAMPLES.resolve("shop.har"), "--out", r);
    assertThat(imported.code()).as(imported.err()).isZero();
    assertThat(imported.out())
        .contains("imported 7 exchange(s)")
        .contains("(1 without response)")
        .contains("redacted headers: Authorization");
    assertThat(shadow("export", "--to", "har", r, "--out", back).code()).isZero();
    assertThat(shadow("import", "--from", "har", back, "--out", r2).code()).isZero();
    List<String> first = Files.readAllLines(r);
    List<String> second = Files.readAllLines(r2);
    assertThat(second.subList(1, second.size())).isEqualTo(first.subList(1, first.size()));
    for (Path p : List.of(r, back, r2)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void inspectCountsTheGorExchangeWithoutResponse() {
    Path r = dir.resolve("g.jsonl.gz");
    Run imported = shadow("import", "--from", "gor", EXAMPLES.resolve("shop.gor"), "--out", r);
    assertThat(imported.code()).isZero();
    assertThat(imported.err()).contains("warning: ").contains("no matching request");
    Run inspect = shadow("inspect", r);
    assertThat(inspect.code()).isZero();
    assertThat(inspect.out())
        .contains("exchanges:         4")
        .contains("without response:  1")
        .contains("statuses:          200 2, 201 1, none 1")
        .contains("methods:           GET 3, POST 1")
        .contains("source import:gor")
        .containsPattern("\\s+1  /api/slow");
  }

  @Test
  void aMalformedLineSevenIsNamedSkippedAndExitsTwoUnlessAccepted() throws IOException {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (int i = 2; i <= 8; i++) {
      sb.append(i == 7 ? "{\"id\":\"e7\" \"request\":{}}" : line(i)).append('\n');
    }
    Path rec = dir.resolve("rec.jsonl");
    Files.writeString(rec, sb);
    Run run = shadow("inspect", rec);
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.out()).contains("exchanges:         6").contains("unreadable lines:  1");
    assertThat(run.err().lines().toList())
        .hasSize(2)
        .first()
        .asString()
        .startsWith("warning: " + rec + ":7: Unexpected character")
        .endsWith("; skipped this line");
    assertThat(run.err().lines().toList().get(1))
        .startsWith("error: " + rec + ": 1 line(s) could not be read");
    assertThat(shadow("inspect", rec, "--skip-bad-lines").code()).isZero();
    Run export = shadow("export", "--to", "har", rec, "--out", dir.resolve("x.har"));
    assertThat(export.code()).isEqualTo(2);
    assertThat(export.err())
        .startsWith("warning: " + rec + ":7: Unexpected character")
        .contains("nothing exported");
    assertThat(dir.resolve("x.har")).doesNotExist();
    Run accepted =
        shadow("export", "--to", "har", rec, "--out", dir.resolve("x.har"), "--skip-bad-lines");
    assertThat(accepted.code()).isZero();
    assertThat(accepted.out()).contains("exported 6 exchange(s)");
  }

  @Test
  void aCutLastLineWarnsAndKeepsTheRest() throws IOException {
    Path rec = dir.resolve("crashed.jsonl");
    Files.writeString(
        rec, HEADER + "\n" + line(2) + "\n" + line(3) + "\n" + line(4).substring(0, 30));
    Run run = shadow("inspect", rec);
    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("exchanges:         2");
    assertThat(run.err()).startsWith("warning: " + rec + ":4: last line is incomplete");
  }

  @Test
  void anUnknownVersionExitsTwo() throws IOException {
    Path rec = dir.resolve("v9.jsonl");
    Files.writeString(
        rec, HEADER.replace("\"version\":1", "\"version\":9") + "\n" + line(2) + "\n");
    Run run = shadow("inspect", rec);
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains(rec + ":1: header: version: unsupported recording version 9");
  }

  @Test
  void aHarEntryWithoutMethodExitsTwoNamingEntryAndField() throws IOException {
    Path har = dir.resolve("bad.har");
    Files.writeString(
        har,
        Files.readString(EXAMPLES.resolve("shop.har")).replaceFirst("\"method\": \"GET\",", ""));
    Run run = shadow("import", "--from", "har", har, "--out", dir.resolve("r.jsonl"));
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err())
        .containsPattern(
            "error: \\Q" + har + "\\E:\\d+: log\\.entries\\[0\\]\\.request\\.method: missing");
    assertThat(dir.resolve("r.jsonl")).doesNotExist();
  }

  @Test
  void aMissingFileOrADirectoryExitsTwoWithOneLine() {
    Run missing = shadow("inspect", dir.resolve("nope.jsonl"));
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err())
        .isEqualTo(
            "error: " + dir.resolve("nope.jsonl") + ": no such file" + System.lineSeparator());
    Run directory = shadow("import", "--from", "gor", dir, "--out", dir.resolve("r.jsonl"));
    assertThat(directory.code()).isEqualTo(2);
    assertThat(directory.err())
        .isEqualTo("error: " + dir + ": is a directory, expected a file" + System.lineSeparator());
    Run outIsDir = shadow("import", "--from", "har", EXAMPLES.resolve("shop.har"), "--out", dir);
    assertThat(outIsDir.code()).isEqualTo(2);
    assertThat(outIsDir.err()).contains(dir + ": is a directory, expected a file to write");
  }

  @Test
  void verboseAddsTheStackTrace() {
    Run run = shadow("inspect", "--verbose", dir.resolve("nope.jsonl"));
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("no such file").contains("RecordingException").contains("\tat ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"import", "export", "inspect"})
  void everyCommandHasHelp(String command) {
    Run run = shadow(command, "--help");
    assertThat(run.code()).isZero();
    assertThat(run.out()).startsWith("Usage: shadow " + command).contains("--help");
  }

  @Test
  void versionAndTopLevelHelp() {
    assertThat(shadow("--version").out()).startsWith("shadow ");
    Run help = shadow("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out())
        .contains("import")
        .contains("export")
        .contains("inspect")
        .contains("Exit codes");
  }

  @Test
  void badFlagsExitTwoWithAHint() {
    Run run = shadow("import", "--from", "pcap", "x", "--out", "y");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err())
        .contains("Invalid value for option '--from'")
        .contains("Try 'shadow import --help'");
    assertThat(shadow("frobnicate").code()).isEqualTo(2);
    assertThat(shadow("export", "--to", "har", "x").code()).isEqualTo(2); // --out missing
  }

  @Test
  void noRedactKeepsSecrets() throws IOException {
    Path r = dir.resolve("r.jsonl");
    Run run =
        shadow("import", "--from", "har", EXAMPLES.resolve("shop.har"), "--out", r, "--no-redact");
    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("redaction: none");
    assertThat(Files.readString(r)).contains("Bearer eyJ");
  }
}
