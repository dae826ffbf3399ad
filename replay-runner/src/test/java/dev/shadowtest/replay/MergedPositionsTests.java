package dev.shadowtest.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.SourcePositions;
import dev.shadowtest.core.SourcePositions.Partition;
import dev.shadowtest.core.SourcePositions.Range;
import dev.shadowtest.replay.MergedPositions.Claim;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergedPositionsTests {

  @TempDir Path dir;

  /** A run directory keeping only {@code partitions} of a stream of {@code count}. */
  Path worker(String name, int count, Partition... partitions) throws IOException {
    Path d = Files.createDirectories(dir.resolve(name));
    new SourcePositions("orders", "nightly", count, List.of(partitions)).write(d);
    return d;
  }

  static Partition partition(int p, long from, long until, Range... done) {
    return new Partition(p, from, until, List.of(done));
  }

  static Range range(long from, long until) {
    return new Range(from, until);
  }

  static long[] at(long partition, long offset) {
    return new long[] {partition, offset};
  }

  @Test
  void anOffsetBelongsToTheFirstDirectoryWhoseDoneRangesHoldIt() throws IOException {
    Path x = worker("x", 2, partition(0, 0, 50, range(10, 20), range(30, 40)));
    // unsorted and overlapping, as no writer should leave them, still mean what they hold
    Path y = worker("y", 2, partition(0, 0, 50, range(20, 35), range(0, 15), range(5, 12)));

    MergedPositions p = MergedPositions.of(List.of(x, y));

    assertThat(p.claim(0, at(0, 15))).isEqualTo(Claim.OWNED);
    assertThat(p.claim(1, at(0, 15))).isEqualTo(Claim.NOT_DONE);
    assertThat(p.claim(1, at(0, 14))).isEqualTo(Claim.DONE_EARLIER);
    assertThat(p.claim(1, at(0, 0))).isEqualTo(Claim.OWNED);
    assertThat(p.claim(1, at(0, 9))).isEqualTo(Claim.OWNED);
    assertThat(p.claim(1, at(0, 10))).isEqualTo(Claim.DONE_EARLIER);
    assertThat(p.claim(1, at(0, 20))).isEqualTo(Claim.OWNED);
    assertThat(p.claim(1, at(0, 29))).isEqualTo(Claim.OWNED);
    assertThat(p.claim(1, at(0, 30))).isEqualTo(Claim.DONE_EARLIER);
    assertThat(p.claim(0, at(0, 39))).isEqualTo(Claim.OWNED);
    assertThat(p.claim(0, at(0, 40))).isEqualTo(Claim.NOT_DONE);
    assertThat(p.claim(0, at(1, 0))).isEqualTo(Claim.NOT_DONE);
    assertThat(p.merged().partitions()).containsExactly(partition(0, 0, 50, range(0, 40)));
    assertThat(p.describeMissing())
        .isEqualTo("partition 0: offsets 40-49; partition 1: never read by any worker");
    assertThat(p.complete()).isFalse();
  }

  @Test
  void directoriesThatFinishedEverythingTogetherAreComplete() throws IOException {
    Path x = worker("x", 2, partition(0, 0, 50, range(0, 20)), partition(1, 7, 7));
    Path y = worker("y", 2, partition(0, 0, 50, range(20, 50)));

    MergedPositions p = MergedPositions.of(List.of(x, y));

    assertThat(p.complete()).isTrue(); // partition 1 was read and held nothing
    assertThat(p.describeMissing()).isEmpty();
    assertThat(p.merged())
        .isEqualTo(
            new SourcePositions(
                "orders",
                "nightly",
                2,
                List.of(partition(0, 0, 50, range(0, 50)), partition(1, 7, 7))));
  }

  @Test
  void theMissingRangesAreNamedUpToTwentyAndTheRestCounted() throws IOException {
    List<Range> everyOther = new ArrayList<>();
    for (long o = 0; o < 50; o += 2) {
      everyOther.add(range(o, o + 1));
    }
    Path x = worker("x", 3, new Partition(0, 0, 50, everyOther), partition(1, 0, 10, range(0, 9)));

    MergedPositions p = MergedPositions.of(List.of(x));

    // 25 single offsets of partition 0, offset 9 of partition 1, partition 2
    assertThat(p.missingCount()).isEqualTo(27);
    assertThat(p.describeMissing())
        .isEqualTo(
            "partition 0: offsets 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33,"
                + " 35, 37, 39; and 7 more");
    Path y = worker("y", 3, partition(0, 0, 50, range(0, 50)));
    assertThat(MergedPositions.of(List.of(x, y)).describeMissing())
        .isEqualTo("partition 1: offset 9; partition 2: never read by any worker");
  }

  @Test
  void aPositionsFileThatContradictsItselfIsAnError() throws IOException {
    Path outside = worker("outside", 3, partition(0, 0, 60, range(50, 70)));
    assertThatThrownBy(() -> MergedPositions.of(List.of(outside)))
        .isInstanceOf(RecordingException.class)
        .hasMessage(
            outside.resolve("positions.json")
                + ": partition 0: done [50, 70) is not a range within from 0 until 60");
    Path beyond = worker("beyond", 3, partition(3, 0, 60));
    assertThatThrownBy(() -> MergedPositions.of(List.of(beyond)))
        .isInstanceOf(RecordingException.class)
        .hasMessage(
            beyond.resolve("positions.json")
                + ": partition 3: not a partition of a stream of partitionCount 3");
    Path twice = worker("twice", 3, partition(1, 0, 60), partition(1, 0, 60));
    assertThatThrownBy(() -> MergedPositions.of(List.of(twice)))
        .isInstanceOf(RecordingException.class)
        .hasMessage(twice.resolve("positions.json") + ": partition 1: listed twice");
  }

  @Test
  void noDirectoryWithPositionsIsNoneToMerge() throws IOException {
    Path plain = Files.createDirectories(dir.resolve("plain"));
    assertThat(MergedPositions.of(List.of(plain))).isNull();
  }
}
