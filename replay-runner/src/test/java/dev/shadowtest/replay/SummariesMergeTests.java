package dev.shadowtest.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.core.SourcePositions;
import dev.shadowtest.core.SourcePositions.Partition;
import dev.shadowtest.core.SourcePositions.Range;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.Statistics;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.Rejudge;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.ResultsFile;
import dev.shadowtest.diff.run.RunDirectory;
import dev.shadowtest.diff.run.SamplesFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code shadow merge} of the run directories of workers that replayed one Kafka run together,
 * each with its {@code positions.json}: every exchange counts once, from the first directory that
 * confirmed it, and what no worker finished makes the merged run incomplete.
 *
 * <p>The workers here replay recordings whose ids are positions ({@code "2@117"}) against one
 * loopback candidate, and their positions are written as a worker's checkpoints would: each
 * merge is compared with one replay of every exchange.
 */
@Timeout(60)
class SummariesMergeTests {

  static final String STREAM = "orders";
  static final String GROUP = "nightly";
  static final int PARTITIONS = 3;

  /** Answers {"v":2} to every fourth offset, {"v":1} (what was recorded) to the others. */
  static TestServer candidate;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws IOException {
    candidate =
        new TestServer(
            s -> {
              long offset = Long.parseLong(s.target().substring(s.target().lastIndexOf('/') + 1));
              return TestServer.Reply.json(offset % 4 == 0 ? "{\"v\":2}" : "{\"v\":1}");
            });
  }

  @AfterAll
  static void stop() {
    candidate.close();
  }

  /**
   * The exchange at {@code offset} of {@code partition}: a third each of GET /orders, GET /users
   * and POST /carts (skipped: unsafe), by offset.
   */
  static Exchange at(int partition, long offset) {
    String id = SourcePositions.id(partition, offset);
    return switch ((int) (offset % 3)) {
      case 0 -> ReplayerTests.exchange(id, "GET", "/orders/" + offset, 200, "{\"v\":1}");
      case 1 -> ReplayerTests.exchange(id, "GET", "/users/" + offset, 200, "{\"v\":1}");
      default -> ReplayerTests.exchange(id, "POST", "/carts/" + offset, 200, "{\"v\":1}");
    };
  }

  static List<Exchange> offsets(int partition, long from, long until) {
    return LongStream.range(from, until).mapToObj(o -> at(partition, o)).toList();
  }

  @SafeVarargs
  static List<Exchange> concat(List<Exchange>... parts) {
    List<Exchange> all = new ArrayList<>();
    for (List<Exchange> p : parts) {
      all.addAll(p);
    }
    return all;
  }

  /** The whole run: partitions 0 and 1 from 0 until 60, partition 2 from 100 until 160. */
  static List<Exchange> everything() {
    return concat(offsets(0, 0, 60), offsets(1, 0, 60), offsets(2, 100, 160));
  }

  static Partition partition(int p, long... done) {
    long from = p == 2 ? 100 : 0;
    List<Range> ranges = new ArrayList<>();
    for (int i = 0; i < done.length; i += 2) {
      ranges.add(new Range(done[i], done[i + 1]));
    }
    return new Partition(p, from, from + 60, ranges);
  }

  /** A replay of {@code exchanges}, in their order, into {@code name}, and nothing else. */
  ReplayResult run(String name, List<Exchange> exchanges) {
    Path rec = ReplayerTests.recording(dir.resolve(name + ".jsonl"), exchanges);
    return new Replayer(
            ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve(name)).withConcurrency(1))
        .run(ShadowListener.NONE);
  }

  /** The run directory of {@link #run}. */
  Path replay(String name, List<Exchange> exchanges) {
    return run(name, exchanges).out();
  }

  /** A worker of the run: it replayed {@code exchanges} and confirmed {@code partitions}. */
  Path worker(String name, List<Exchange> exchanges, Partition... partitions) {
    Path out = replay(name, exchanges);
    new SourcePositions(STREAM, GROUP, PARTITIONS, List.of(partitions)).write(out);
    return out;
  }

  static List<String> ids(Path run) {
    return ReplayerTests.lines(run).stream().map(ResultLine::id).sorted().toList();
  }

  static List<String> ids(List<Exchange> exchanges) {
    return exchanges.stream().map(Exchange::id).sorted().toList();
  }

  static Map<String, List<Long>> byEndpoint(Statistics.RunResult r) {
    return r.endpoints().stream()
        .collect(
            Collectors.toMap(
                Statistics.EndpointResult::endpoint,
                e -> List.of(e.exchanges(), e.compared(), e.skipped(), e.discrepant())));
  }

  /** The counts of {@link #everything}: per endpoint exchanges, compared, skipped, discrepant. */
  static final Map<String, List<Long>> EVERYTHING =
      Map.of(
          "GET /orders/{id}", List.of(60L, 60L, 0L, 15L),
          "GET /users/{id}", List.of(60L, 60L, 0L, 15L),
          "POST /carts/{id}", List.of(60L, 0L, 60L, 0L));

  ReplayResult merge(String out, Path... dirs) {
    return Summaries.merge(dir.resolve(out), List.of(dirs), null, Gate.defaults());
  }

  static String leftOutWarning(Path worker, long redone, long notConfirmed) {
    List<String> why = new ArrayList<>();
    if (redone > 0) {
      why.add(
          redone + " redone elsewhere (an earlier directory finished them too, and counts them)");
    }
    if (notConfirmed > 0) {
      why.add(
          notConfirmed
              + " not confirmed (beyond the done ranges of its positions.json: replayed after its"
              + " last checkpoint, or after its partition moved to another worker)");
    }
    return worker.resolve("results.jsonl.gz")
        + ": "
        + (redone + notConfirmed)
        + " result lines left out: "
        + String.join(", ", why);
  }

  @Test
  void workersOfDisjointPartitionsMergeToTheWholeRun() {
    ReplayResult whole = run("whole", everything());
    assertThat(byEndpoint(whole.result())).isEqualTo(EVERYTHING);
    Path a =
        worker(
            "a",
            concat(offsets(0, 0, 60), offsets(1, 0, 60)),
            partition(0, 0, 60),
            partition(1, 0, 60));
    Path b = worker("b", offsets(2, 100, 160), partition(2, 100, 160));

    ReplayResult merged = merge("merged", a, b);

    assertThat(merged.result()).isEqualTo(whole.result());
    assertThat(byEndpoint(merged.result())).isEqualTo(EVERYTHING);
    assertThat(merged.result().exchanges()).isEqualTo(180);
    assertThat(ids(dir.resolve("merged"))).isEqualTo(ids(everything()));
    assertThat(merged.incomplete()).isFalse();
    assertThat(merged.warnings()).isEmpty();
    assertThat(SourcePositions.read(dir.resolve("merged")))
        .isEqualTo(
            new SourcePositions(
                STREAM,
                GROUP,
                PARTITIONS,
                List.of(partition(0, 0, 60), partition(1, 0, 60), partition(2, 100, 160))));
  }

  @Test
  void anExchangeTwoWorkersFinishedCountsOnceFromTheFirstDirectory() {
    // b took partition 0 over from offset 30 before a's commit of 30-39 went through: both did them
    Path a =
        worker(
            "a",
            concat(offsets(0, 0, 40), offsets(1, 0, 60)),
            partition(0, 0, 40),
            partition(1, 0, 60));
    Path b =
        worker(
            "b",
            concat(offsets(0, 30, 60), offsets(2, 100, 160)),
            partition(0, 30, 60),
            partition(2, 100, 160));

    ReplayResult merged = merge("merged", a, b);

    assertThat(byEndpoint(merged.result())).isEqualTo(EVERYTHING);
    assertThat(merged.result().exchanges()).isEqualTo(180);
    assertThat(merged.result().discrepant()).isEqualTo(30);
    assertThat(ids(dir.resolve("merged"))).isEqualTo(ids(everything()));
    assertThat(merged.incomplete()).isFalse();
    assertThat(merged.warnings()).containsExactly(leftOutWarning(b, 10, 0));
    // in the other order, a's lines of 30-39 are the ones left out
    ReplayResult reversed = merge("reversed", b, a);
    assertThat(reversed.result()).isEqualTo(merged.result());
    assertThat(reversed.warnings()).containsExactly(leftOutWarning(a, 10, 0));
  }

  @Test
  void theMergedRunKeepsTheResponsesOfTheLinesItTookAndCanBeRejudged() {
    Path a =
        worker(
            "a",
            concat(offsets(0, 0, 40), offsets(1, 0, 60)),
            partition(0, 0, 40),
            partition(1, 0, 60));
    // b's first ten lines are left out: its later responses move ten lines up
    Path b =
        worker(
            "b",
            concat(offsets(0, 30, 60), offsets(2, 100, 160)),
            partition(0, 30, 60),
            partition(2, 100, 160));
    merge("merged", a, b);

    Rules ignoringV =
        Rules.parse("version: 1\ndefaults:\n  ignore: [\"$.v\"]\n", "ignoring-v.yaml");
    Path rejudged = dir.resolve("rejudged.jsonl.gz");
    Rejudge.Counts counts =
        Rejudge.run(dir.resolve("merged"), Rules.defaults(), ignoringV, rejudged);

    assertThat(counts).isEqualTo(new Rejudge.Counts(180, 30));
    List<ResultLine> again = new ArrayList<>();
    ResultsFile.read(rejudged, again::add);
    assertThat(again).filteredOn(l -> l.verdict() == Verdict.MATCH).hasSize(120);
    assertThat(again).filteredOn(l -> l.verdict() == Verdict.SKIPPED).hasSize(60);
  }

  @Test
  void mergedByOtherRulesWholeWorkersAreRejudgedAndAKilledOneIsRefused() throws IOException {
    Rules ignoringV =
        Rules.parse("version: 1\ndefaults:\n  ignore: [\"$.v\"]\n", "ignoring-v.yaml");
    Path a =
        worker(
            "a",
            concat(offsets(0, 0, 40), offsets(1, 0, 60)),
            partition(0, 0, 40),
            partition(1, 0, 60));
    Path b =
        worker(
            "b",
            concat(offsets(0, 30, 60), offsets(2, 100, 160)),
            partition(0, 30, 60),
            partition(2, 100, 160));

    ReplayResult merged =
        Summaries.merge(dir.resolve("merged"), List.of(a, b), ignoringV, Gate.defaults());

    assertThat(merged.result().exchanges()).isEqualTo(180);
    assertThat(merged.result().compared()).isEqualTo(120);
    assertThat(merged.result().discrepant()).isZero();
    assertThat(ids(dir.resolve("merged"))).isEqualTo(ids(everything()));
    assertThat(merged.warnings()).containsExactly(leftOutWarning(b, 10, 0));

    kill(a, 60);
    List<ResultLine> readable = new ArrayList<>();
    String cut = ResultsFile.readRecovering(a.resolve(RunDirectory.RESULTS), readable::add);
    assertThatThrownBy(
            () -> Summaries.merge(dir.resolve("killed"), List.of(a, b), ignoringV, Gate.defaults()))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "cannot re-judge "
                + a
                + " with the rules given (--rules): "
                + cut
                + "; only a whole run can be re-judged, and this is a worker killed mid-run: merge"
                + " the workers by the rules they were judged by (without --rules)");
    assertThat(dir.resolve("killed")).doesNotExist();
  }

  /**
   * A worker killed with SIGKILL: a provisional summary, results synced at its last checkpoint
   * (which confirmed the first {@code confirmed} lines) and cut off in the lines after it, kept
   * responses and samples cut off too.
   */
  static void kill(Path worker, int confirmed) throws IOException {
    List<ResultLine> written = ReplayerTests.lines(worker);
    Path results = worker.resolve(RunDirectory.RESULTS);
    long checkpoint;
    long end;
    try (ResultsFile f = ResultsFile.create(results)) {
      for (ResultLine l : written.subList(0, confirmed)) {
        f.write(l);
      }
      f.flush();
      checkpoint = Files.size(results);
      for (ResultLine l : written.subList(confirmed, written.size())) {
        f.write(l);
      }
      f.flush();
      end = Files.size(results);
    }
    truncate(results, checkpoint + (end - checkpoint) / 2);
    Path responses = worker.resolve(RunDirectory.RESPONSES);
    truncate(responses, Files.size(responses) / 2);
    Path samples = worker.resolve(RunDirectory.SAMPLES);
    truncate(samples, Files.size(samples) - 10);
    ObjectMapper json = new ObjectMapper();
    Path summary = worker.resolve(RunDirectory.SUMMARY);
    ObjectNode s = (ObjectNode) json.readTree(summary.toFile());
    s.put("incomplete", true);
    s.put("aborted", "the run was still going (a checkpoint's summary)");
    json.writeValue(summary.toFile(), s);
  }

  static void truncate(Path file, long size) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.truncate(size);
    }
  }

  @Test
  void aKilledWorkersConfirmedLinesAndItsSuccessorsMakeTheWholeRun() throws IOException {
    ReplayResult whole = run("whole", everything());
    // a confirmed 0-39 of partition 0 and 0-19 of partition 1, replayed on, and was killed
    Path a =
        worker(
            "a",
            concat(offsets(0, 0, 40), offsets(1, 0, 20), offsets(0, 40, 50), offsets(1, 20, 25)),
            partition(0, 0, 40),
            partition(1, 0, 20));
    kill(a, 60);
    List<ResultLine> readable = new ArrayList<>();
    String cut = ResultsFile.readRecovering(a.resolve(RunDirectory.RESULTS), readable::add);
    assertThat(cut).isNotNull();
    // the cut is after some lines a never confirmed: they must be left out
    assertThat(readable.size()).isBetween(61, 74);
    // its successor took both partitions over where a's last commit left them; b had partition 2
    Path b =
        worker(
            "b",
            concat(offsets(0, 40, 60), offsets(1, 20, 60), offsets(2, 100, 160)),
            partition(0, 40, 60),
            partition(1, 20, 60),
            partition(2, 100, 160));

    ReplayResult merged = merge("merged", a, b);

    assertThat(merged.result()).isEqualTo(whole.result());
    assertThat(byEndpoint(merged.result())).isEqualTo(EVERYTHING);
    assertThat(ids(dir.resolve("merged"))).isEqualTo(ids(everything()));
    assertThat(merged.incomplete()).isFalse(); // a's summary says incomplete: its positions tell
    assertThat(merged.gateFailures()).isEqualTo(whole.gateFailures());
    assertThat(merged.warnings())
        .contains(
            cut
                + ", which hold every line its positions.json confirms (a worker killed mid-run:"
                + " they were written before its last checkpoint)",
            leftOutWarning(a, 0, readable.size() - 60))
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith(
                        "the merged run cannot be re-judged with other rules: "
                            + a.resolve(RunDirectory.RESPONSES)));
    // samples only of the lines merged, each once
    assertThat(SamplesFile.read(dir.resolve("merged"), w -> {}).keySet())
        .isSubsetOf(ids(everything()))
        .isNotEmpty();
    // merged in the other order, the same lines count
    assertThat(merge("reversed", b, a).result()).isEqualTo(whole.result());
  }

  @Test
  void offsetsNoWorkerFinishedMakeTheMergedRunIncomplete() {
    // partition 2 of a compacted topic: few offsets hold exchanges; 100-199 was never confirmed
    // a stream of 4 partitions, of which no worker read partition 3
    Path a = replay("a", concat(offsets(0, 0, 10), offsets(1, 0, 10)));
    new SourcePositions(STREAM, GROUP, 4, List.of(partition(0, 0, 60), partition(1, 0, 60)))
        .write(a);
    Path b = replay("b", concat(offsets(2, 100, 110), offsets(2, 200, 205)));
    new SourcePositions(
            STREAM,
            GROUP,
            4,
            List.of(new Partition(2, 0, 300, List.of(new Range(0, 100), new Range(200, 300)))))
        .write(b);

    ReplayResult merged = merge("merged", a, b);

    assertThat(merged.incomplete()).isTrue();
    assertThat(merged.passed()).isFalse();
    assertThat(merged.warnings())
        .containsExactly(
            leftOutWarning(b, 0, 10),
            "the merged run is incomplete: offsets no worker finished: partition 2: offsets"
                + " 100-199; partition 3: never read by any worker");
    assertThat(merged.result().exchanges()).isEqualTo(25);
  }

  @Test
  void workersOfAnotherGroupOrOtherBoundsAreRefused() throws IOException {
    Path a = worker("a", offsets(0, 0, 3), partition(0, 0, 3));
    Path other = replay("other", offsets(1, 0, 3));
    new SourcePositions(STREAM, "weekly", PARTITIONS, List.of(partition(1, 0, 3))).write(other);
    assertThatThrownBy(() -> merge("m1", a, other))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "not one run: "
                + other
                + " read stream \"orders\" in group \"weekly\", "
                + a
                + " stream \"orders\" in group \"nightly\": merge the workers of one consumer"
                + " group's run of one stream");

    new SourcePositions(STREAM, GROUP, PARTITIONS, List.of(new Partition(0, 0, 70, List.of())))
        .write(other);
    assertThatThrownBy(() -> merge("m2", a, other))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "not one run: partition 0 runs from 0 until 70 in "
                + other
                + ", from 0 until 60 in "
                + a
                + " (positions.json from, until)");

    new SourcePositions(STREAM, GROUP, 4, List.of()).write(other);
    assertThatThrownBy(() -> merge("m3", a, other))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "not one run: "
                + other
                + " read a stream of 4 partitions, "
                + a
                + " one of 3 (positions.json partitionCount)");
    assertThat(dir.resolve("m1")).doesNotExist();
    assertThat(dir.resolve("m2")).doesNotExist();
    assertThat(dir.resolve("m3")).doesNotExist();
  }

  @Test
  void workersAndRunsOfARecordingFileAreNotMergedTogether() {
    Path a = worker("a", offsets(0, 0, 3), partition(0, 0, 3));
    Path file = replay("file", offsets(1, 0, 3));
    assertThatThrownBy(() -> merge("m", file, a))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            a
                + " holds positions.json (a worker's share of a Kafka topic) and "
                + file
                + " does not (a replay of a recording file): merge the workers of one topic's run"
                + " together, and the shards of a recording together, not both");
    assertThat(dir.resolve("m")).doesNotExist();
  }

  @Test
  void aMergedRunMergesAgainWithTheWorkerThatFinishesTheRun() {
    ReplayResult whole = run("whole", everything());
    Path a = worker("a", offsets(0, 0, 60), partition(0, 0, 60));
    Path b = worker("b", offsets(1, 0, 30), partition(1, 0, 30));
    ReplayResult first = merge("first", a, b);
    assertThat(first.incomplete()).isTrue();
    assertThat(first.warnings())
        .containsExactly(
            "the merged run is incomplete: offsets no worker finished: partition 1: offsets"
                + " 30-59; partition 2: never read by any worker");

    Path c =
        worker(
            "c",
            concat(offsets(1, 30, 60), offsets(2, 100, 160)),
            partition(1, 30, 60),
            partition(2, 100, 160));
    ReplayResult all = merge("all", dir.resolve("first"), c);

    assertThat(all.incomplete()).isFalse();
    assertThat(all.result()).isEqualTo(whole.result());
    assertThat(ids(dir.resolve("all"))).isEqualTo(ids(everything()));
    assertThat(SourcePositions.read(dir.resolve("all")).partitions())
        .containsExactly(partition(0, 0, 60), partition(1, 0, 60), partition(2, 100, 160));
  }

  @Test
  void aWorkersLineWhoseIdIsNoPositionIsAnError() {
    List<Exchange> exchanges = new ArrayList<>(offsets(0, 0, 2));
    exchanges.add(ReplayerTests.exchange("e7", "GET", "/orders/7", 200, "{\"v\":1}"));
    Path a = worker("a", exchanges, partition(0, 0, 60));
    assertThatThrownBy(() -> merge("m", a))
        .isInstanceOf(RecordingException.class)
        .hasMessage(
            a.resolve("results.jsonl.gz")
                + ":3: id \"e7\" is not a position PARTITION@OFFSET (3@1234), as the ids of a run"
                + " that keeps positions.json are");
    assertThat(dir.resolve("m")).doesNotExist();
  }
}
