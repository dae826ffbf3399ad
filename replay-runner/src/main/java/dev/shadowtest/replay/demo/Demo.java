package dev.shadowtest.replay.demo;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.replay.Progress;
import dev.shadowtest.replay.ReplayConfig;
import dev.shadowtest.replay.ReplayResult;
import dev.shadowtest.replay.Replayer;
import dev.shadowtest.replay.internal.Sender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * {@code shadow demo}: starts the demo services, records traffic against the legacy system,
 * writes the demo rules, and replays against the candidate with a second legacy instance as
 * secondary so noise is learned.
 *
 * <pre>{@code
 * ReplayResult r = Demo.run(Path.of("shadow-demo-out"), 600, Progress.NONE);
 * }</pre>
 */
public final class Demo {

  /** Exchanges in the demo recording. */
  public static final int EXCHANGES = 600;

  private Demo() {}

  public static ReplayResult run(Path out, int exchanges, Progress progress) {
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new RecordingException(out, 0, "cannot create the demo output directory: " + e.getMessage(), e);
    }
    Path recording = out.resolve("recording.jsonl.gz");
    Path rules = out.resolve("shadow-rules.yaml");
    try (DemoServices services = DemoServices.start()) {
      record(services, recording, exchanges);
      try {
        Files.writeString(rules, DemoServices.rulesYaml(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new RecordingException(rules, 0, "cannot write: " + e.getMessage(), e);
      }
      ReplayConfig config = ReplayConfig.of(List.of(recording), services.candidate(), out)
          .withPrimary(services.legacy(), services.legacyTwin())
          .withRules(Rules.load(rules))
          .withConcurrency(8);
      return new Replayer(config).run(progress);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the demo services on loopback: " + e.getMessage(), e);
    }
  }

  /** Records real calls to the legacy service (until the recording proxy exists). */
  private static void record(DemoServices services, Path recording, int exchanges) {
    try (Sender legacy = new Sender(8, Duration.ofSeconds(5), Duration.ofSeconds(30), Headers.empty(), true);
         RecordingWriter w = RecordingWriter.create(recording, RecordingHeader.now("demo", Redaction.defaults()))) {
      List<String[]> traffic = DemoServices.traffic(exchanges);
      for (int i = 0; i < traffic.size(); i++) {
        String[] t = traffic.get(i);
        Headers h = Headers.of("Host", "shop.legacy.internal", "Accept", "application/json", "User-Agent", "shadow-demo");
        Body body = Body.none();
        if (t[2] != null) {
          h = h.with("Content-Type", "application/json");
          body = Body.text(t[2]);
        }
        HttpRequest rq = new HttpRequest(t[0], t[1], "HTTP/1.1", h, body);
        Instant started = Instant.now();
        Sender.Attempt a = legacy.send(services.legacy(), rq).get();
        w.write(new Exchange(String.format("demo-%04d", i), started, a.micros(), rq, a.response(), a.error(), Map.of()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("demo interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("demo recording failed: " + e.getCause(), e);
    }
  }
}
