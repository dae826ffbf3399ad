package dev.shadowtest.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shadowtest.core.JsonPath;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.JsonDiff;
import dev.shadowtest.diff.JsonOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.javacrumbs.jsonunit.core.Configuration;
import net.javacrumbs.jsonunit.core.Option;
import net.javacrumbs.jsonunit.core.internal.Diff;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The JSON diff engine against a plain Jackson parse (floor) and JSON-Unit (reference), one
 * expected/actual pair per operation.
 *
 * <p>Per-exchange bodies ({@code size} = {@code 2k} or {@code 200k}, see {@link DiffBodies}):
 *
 * <ul>
 *   <li>{@code shadowDiff}: {@link JsonDiff#parse(byte[])} of both bodies, then
 *       {@link JsonDiff#compare(JsonNode, JsonNode, JsonOptions)} ignoring {@code $.meta.generatedAt}.
 *   <li>{@code jacksonReadTreeFloor} (floor): a default {@link ObjectMapper#readTree(byte[])} of both
 *       bodies, nothing else.
 *   <li>{@code jsonUnitDiff} (reference): JSON-Unit {@code Diff.create(String, String, ...)
 *       .similar()} ignoring {@code meta.generatedAt}; JSON-Unit parses the two strings itself.
 *   <li>{@code shadowParseOnly}, {@code shadowCompareOnly} (diagnostics): the two halves of
 *       {@code shadowDiff}, to show where its time goes.
 * </ul>
 *
 * <p>A 10,000-element array compared ignoring order (parsed once in set-up, by
 * {@link JsonDiff#parse(byte[])}; both engines get the same {@link JsonNode}s):
 * {@code shadowUnordered10k} against {@code jsonUnitIgnoringArrayOrder10k}. The latter runs
 * for minutes per operation, so it is timed as three single shots.
 *
 * <p>Set-up checks that both engines see the pairs as different, that Shadow reports exactly
 * the changed values, and that both ignore {@code generatedAt}, so both do the same work.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class DiffBenchmark {

  /** Elements in the unordered array. */
  public static final int UNORDERED_ELEMENTS = 10_000;

  /** The field that differs on every exchange and is ignored, in each engine's syntax. */
  static final String IGNORED_SHADOW = "$.meta.generatedAt";

  static final String IGNORED_JSON_UNIT = "meta.generatedAt";

  /** A default mapper: the floor (doubles for decimals, no extra checks). */
  private static final ObjectMapper PLAIN = new ObjectMapper();

  /** Per-exchange bodies of one size. */
  @State(Scope.Benchmark)
  public static class Bodies {

    @Param({"2k", "200k"})
    public String size;

    byte[] expectedBytes;
    byte[] actualBytes;
    String expectedText;
    String actualText;
    JsonNode expectedNode;
    JsonNode actualNode;
    JsonOptions options;
    Configuration jsonUnit;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      int target =
          switch (size) {
            case "2k" -> 2 * 1024;
            case "200k" -> 200 * 1024;
            default -> throw new IllegalArgumentException("size must be 2k or 200k: " + size);
          };
      DiffBodies.Pair pair = DiffBodies.orderPair(target, DiffBodies.SEED);
      expectedBytes = pair.expected();
      actualBytes = pair.actual();
      expectedText = new String(expectedBytes, StandardCharsets.UTF_8);
      actualText = new String(actualBytes, StandardCharsets.UTF_8);
      expectedNode = JsonDiff.parse(expectedBytes);
      actualNode = JsonDiff.parse(actualBytes);
      options = JsonOptions.strict().withIgnore(List.of(JsonPath.parse(IGNORED_SHADOW)));
      jsonUnit = Configuration.empty().whenIgnoringPaths(IGNORED_JSON_UNIT);

      // Shadow: exactly the changed values, nothing under the ignored path.
      List<Difference> shadow = JsonDiff.compare(expectedNode, actualNode, options);
      if (shadow.size() != DiffBodies.CHANGED_VALUES
          || !shadow.stream().allMatch(d -> d.type() == DifferenceType.VALUE)
          || shadow.stream().anyMatch(d -> d.path().startsWith(IGNORED_SHADOW))) {
        throw new IllegalStateException(
            "Shadow should report " + DiffBodies.CHANGED_VALUES + " changed values: " + shadow);
      }
      // JSON-Unit: the same pair is different, with the same paths.
      List<String> jsonUnitPaths = new ArrayList<>();
      boolean similar =
          Diff.create(
                  expectedText,
                  actualText,
                  "fullJson",
                  "",
                  jsonUnit.withDifferenceListener((d, ctx) -> jsonUnitPaths.add(d.getActualPath())))
              .similar();
      List<String> shadowPaths =
          shadow.stream().map(d -> d.path().substring(2)).sorted().toList(); // "$.a.b" -> "a.b"
      jsonUnitPaths.sort(null);
      if (similar || !jsonUnitPaths.equals(shadowPaths)) {
        throw new IllegalStateException(
            "JSON-Unit should report "
                + shadowPaths
                + ", got similar="
                + similar
                + " "
                + jsonUnitPaths);
      }
      // Both ignore generatedAt: a pair differing only there is equal for both.
      ObjectNode onlyIgnored = expectedNode.deepCopy();
      ((ObjectNode) onlyIgnored.get("meta"))
          .set("generatedAt", actualNode.get("meta").get("generatedAt"));
      if (onlyIgnored.equals(expectedNode)
          || !JsonDiff.compare(expectedNode, onlyIgnored, options).isEmpty()
          || !Diff.create(
                  expectedText, PLAIN.writeValueAsString(onlyIgnored), "fullJson", "", jsonUnit)
              .similar()) {
        throw new IllegalStateException("both engines should ignore " + IGNORED_SHADOW);
      }
      // The floor parses the same documents.
      if (!PLAIN.readTree(expectedBytes).isObject() || !PLAIN.readTree(actualBytes).isObject()) {
        throw new IllegalStateException("bodies should be objects");
      }
      System.out.printf(
          "%n[DiffBenchmark] size=%s: %d and %d bytes, %d items%n",
          size, expectedBytes.length, actualBytes.length, expectedNode.get("items").size());
    }
  }

  /** The 10,000-element array and its shuffled, changed copy, parsed once. */
  @State(Scope.Benchmark)
  public static class Unordered {

    JsonNode expected;
    JsonNode actual;
    JsonOptions options;
    Configuration jsonUnit;

    /** Result of the last JSON-Unit operation, checked after each iteration. */
    Boolean lastJsonUnitSimilar;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      DiffBodies.Pair pair = DiffBodies.unorderedPair(UNORDERED_ELEMENTS, DiffBodies.SEED);
      expected = JsonDiff.parse(pair.expected());
      actual = JsonDiff.parse(pair.actual());
      options = JsonOptions.strict().withUnorderedArrays(List.of(JsonPath.parse("$")));
      jsonUnit = Configuration.empty().withOptions(Option.IGNORING_ARRAY_ORDER);

      List<Difference> shadow = JsonDiff.compare(expected, actual, options);
      if (shadow.size() != 1
          || shadow.get(0).type() != DifferenceType.VALUE
          || !shadow.get(0).field().equals("$[*].v")) {
        throw new IllegalStateException("Shadow should report one changed v: " + shadow);
      }
      if (JsonDiff.compare(expected, actual, JsonOptions.strict()).size()
          < UNORDERED_ELEMENTS / 2) {
        throw new IllegalStateException("the copy should be shuffled");
      }
      System.out.printf(
          "%n[DiffBenchmark] unordered: %d elements, %d and %d bytes%n",
          expected.size(), pair.expected().length, pair.actual().length);
      // JSON-Unit's result is checked after each (slow) operation instead: see checkJsonUnit.
    }

    @TearDown(Level.Iteration)
    public void checkJsonUnit() {
      if (Boolean.TRUE.equals(lastJsonUnitSimilar)) {
        throw new IllegalStateException("JSON-Unit should see the unordered arrays as different");
      }
    }
  }

  @Benchmark
  public List<Difference> shadowDiff(Bodies b) throws IOException {
    return JsonDiff.compare(
        JsonDiff.parse(b.expectedBytes), JsonDiff.parse(b.actualBytes), b.options);
  }

  @Benchmark
  public void jacksonReadTreeFloor(Bodies b, Blackhole bh) throws IOException {
    bh.consume(PLAIN.readTree(b.expectedBytes));
    bh.consume(PLAIN.readTree(b.actualBytes));
  }

  @Benchmark
  public boolean jsonUnitDiff(Bodies b) {
    return Diff.create(b.expectedText, b.actualText, "fullJson", "", b.jsonUnit).similar();
  }

  /** Diagnostic: the parsing half of {@code shadowDiff}. */
  @Benchmark
  public void shadowParseOnly(Bodies b, Blackhole bh) throws IOException {
    bh.consume(JsonDiff.parse(b.expectedBytes));
    bh.consume(JsonDiff.parse(b.actualBytes));
  }

  /** Diagnostic: the comparing half of {@code shadowDiff} (trees parsed in set-up). */
  @Benchmark
  public List<Difference> shadowCompareOnly(Bodies b) {
    return JsonDiff.compare(b.expectedNode, b.actualNode, b.options);
  }

  @Benchmark
  public List<Difference> shadowUnordered10k(Unordered u) {
    return JsonDiff.compare(u.expected, u.actual, u.options);
  }

  /**
   * About 2.5 minutes per operation on 2 cores (pairwise matching: 10^8 element comparisons), so
   * three single shots and no warm-up shot: JIT compilation is a negligible part of a shot this
   * long, and a warm-up shot would add minutes to the run.
   */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 0)
  @Measurement(iterations = 3)
  public boolean jsonUnitIgnoringArrayOrder10k(Unordered u) {
    boolean similar = Diff.create(u.expected, u.actual, "fullJson", "", u.jsonUnit).similar();
    u.lastJsonUnitSimilar = similar;
    return similar;
  }
}
