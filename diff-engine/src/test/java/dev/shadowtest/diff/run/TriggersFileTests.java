package dev.shadowtest.diff.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.RecordingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code triggers.jsonl}: appended, 0600, read back whole, a line cut by a crash tolerated. */
class TriggersFileTests {

  @TempDir Path dir;

  static TriggerEvent event(TriggerEvent.Kind kind, Instant at) {
    return new TriggerEvent(
        kind,
        "errorRate",
        Trigger.Metric.ERROR_RATE,
        kind == TriggerEvent.Kind.FIRED ? 0.052 : 0.001,
        0.005,
        Duration.ofMinutes(5),
        Duration.ofMinutes(5),
        at.minus(Duration.ofMinutes(5)),
        at,
        at,
        new WindowFacts(1200, 1100, 3, 60, 2, 41.5, 44.25, 1100),
        "/runs/live",
        "/runs/live/report.html");
  }

  static final Instant AT = Instant.parse("2026-11-24T02:08:30Z");

  @Test
  void eachEventIsOneJsonLineInItsDocumentedForm() throws IOException {
    try (TriggersFile file = TriggersFile.open(dir)) {
      file.append(event(TriggerEvent.Kind.FIRED, AT));
    }
    List<String> lines = Files.readAllLines(dir.resolve(RunDirectory.TRIGGERS));
    assertThat(lines)
        .containsExactly(
            "{\"event\":\"fired\",\"trigger\":\"errorRate\",\"metric\":\"errorRate\","
                + "\"value\":0.052,\"threshold\":0.005,\"window\":\"PT5M\",\"for\":\"PT5M\","
                + "\"windowStart\":\"2026-11-24T02:03:30Z\",\"windowEnd\":\"2026-11-24T02:08:30Z\","
                + "\"at\":\"2026-11-24T02:08:30Z\",\"attempted\":1200,\"compared\":1100,"
                + "\"discrepant\":3,\"errors\":60,\"serverErrors\":2,\"latencySamples\":1100,"
                + "\"legacyP99Millis\":41.5,\"candidateP99Millis\":44.25,"
                + "\"runDirectory\":\"/runs/live\",\"report\":\"/runs/live/report.html\"}");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("triggers.jsonl"))))
        .isEqualTo("rw-------");
  }

  @Test
  void eventsRoundTripAndASecondWriterAppends() throws IOException {
    TriggerEvent fired = event(TriggerEvent.Kind.FIRED, AT);
    TriggerEvent cleared = event(TriggerEvent.Kind.CLEARED, AT.plusSeconds(600));
    TriggerEvent bare =
        new TriggerEvent(
            TriggerEvent.Kind.FIRED,
            "latency",
            Trigger.Metric.LATENCY_RATIO_P99,
            2.5,
            2,
            Duration.ofMinutes(10),
            Duration.ZERO,
            AT.minus(Duration.ofMinutes(10)),
            AT,
            AT,
            new WindowFacts(40, 40, 0, 0, 0, null, null, 40),
            null,
            null);
    try (TriggersFile file = TriggersFile.open(dir)) {
      file.append(fired);
    }
    Files.setPosixFilePermissions(
        dir.resolve(RunDirectory.TRIGGERS), PosixFilePermissions.fromString("rw-r--r--"));
    try (TriggersFile file = TriggersFile.open(dir)) {
      file.append(cleared);
      file.append(bare);
    }
    List<String> warnings = new ArrayList<>();
    assertThat(TriggersFile.read(dir.resolve(RunDirectory.TRIGGERS), warnings::add))
        .containsExactly(fired, cleared, bare);
    assertThat(warnings).isEmpty();
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("triggers.jsonl"))))
        .as("reopening tightens the file back to 0600")
        .isEqualTo("rw-------");
  }

  @Test
  void aLastLineCutOffMidWriteIsLeftOutWithAWarning() throws IOException {
    TriggerEvent fired = event(TriggerEvent.Kind.FIRED, AT);
    try (TriggersFile file = TriggersFile.open(dir)) {
      file.append(fired);
    }
    String cut = event(TriggerEvent.Kind.CLEARED, AT.plusSeconds(600)).toJson();
    Path f = dir.resolve(RunDirectory.TRIGGERS);
    Files.write(
        f,
        cut.substring(0, cut.length() / 2).getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);
    List<String> warnings = new ArrayList<>();
    assertThat(TriggersFile.read(f, warnings::add)).containsExactly(fired);
    assertThat(warnings)
        .containsExactly(
            f + ":2: the last line was cut off (a crash while it was written); left out");
  }

  @Test
  void aBadLineBeforeTheLastIsAnErrorNamingFileAndLine() throws IOException {
    Path f = dir.resolve(RunDirectory.TRIGGERS);
    Files.writeString(
        f,
        event(TriggerEvent.Kind.FIRED, AT).toJson()
            + "\n{\"event\":\"exploded\"}\n"
            + event(TriggerEvent.Kind.CLEARED, AT).toJson()
            + "\n");
    assertThatThrownBy(() -> TriggersFile.read(f, w -> {}))
        .isInstanceOf(RecordingException.class)
        .hasMessageContaining(f + ":2")
        .hasMessageContaining("event: expected fired or cleared, got \"exploded\"");
  }

  @Test
  void aSymbolicLinkIsNeverWrittenThrough() throws IOException {
    Path target = Files.writeString(dir.resolve("elsewhere"), "");
    Files.createSymbolicLink(dir.resolve(RunDirectory.TRIGGERS), target);
    assertThatThrownBy(() -> TriggersFile.open(dir))
        .isInstanceOf(RecordingException.class)
        .hasMessageContaining("symbolic link");
  }

  @Test
  void aRunDirectoryListsTheTriggersFile() throws IOException {
    assertThat(RunDirectory.FILES).contains("triggers.jsonl");
    JsonNode n = new ObjectMapper().readTree(event(TriggerEvent.Kind.CLEARED, AT).toJson());
    assertThat(n.get("event").asText()).isEqualTo("cleared");
  }
}
