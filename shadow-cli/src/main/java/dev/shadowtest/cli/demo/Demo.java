package dev.shadowtest.cli.demo;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.http.Sender;
import dev.shadowtest.recorder.Recorder;
import dev.shadowtest.recorder.RecorderConfig;
import dev.shadowtest.recorder.RecorderStats;
import dev.shadowtest.replay.ReplayConfig;
import dev.shadowtest.replay.ReplayResult;
import dev.shadowtest.replay.Replayer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * {@code shadow demo}: starts the demo services, records traffic against the legacy system,
 * writes the demo rules, and replays against the candidate with a second legacy instance as
 * secondary so noise is learned.
 *
 * <pre>{@code
 * ReplayResult r = Demo.run(Path.of("shadow-demo-out"), 600, ShadowListener.NONE);
 * }</pre>
 */
public final class Demo {

  /** Exchanges in the demo recording. */
  public static final int EXCHANGES = 600;

  private Demo() {}

  public static ReplayResult run(Path out, int exchanges, ShadowListener progress) {
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new RecordingException(
          out, 0, "cannot create the demo output directory: " + e.getMessage(), e);
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
      ReplayConfig config =
          ReplayConfig.of(List.of(recording), services.candidate(), out)
              .withPrimary(services.legacy(), services.legacyTwin())
              .withRules(Rules.load(rules))
              .withConcurrency(8)
              .withOverwrite(
                  true); // the demo's own directory: running the demo again replaces its run
      return new Replayer(config).run(progress);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start the demo services on loopback: " + e.getMessage(), e);
    }
  }

  /**
   * Records the demo traffic the way production traffic is recorded: through the recording proxy
   * ({@code shadow record}) in front of the legacy service.
   */
  private static void record(DemoServices services, Path recording, int exchanges)
      throws IOException {
    Files.deleteIfExists(
        recording); // the demo's own output of an earlier run: the recorder never overwrites
    RecorderConfig config =
        RecorderConfig.of(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            services.legacy(),
            recording);
    try (Recorder recorder = Recorder.start(config);
        Sender client =
            new Sender(8, Duration.ofSeconds(5), Duration.ofSeconds(30), Headers.empty(), true)) {
      List<String[]> traffic = DemoServices.traffic(exchanges);
      for (String[] t : traffic) {
        Headers h =
            Headers.of(
                "Host",
                "shop.legacy.internal",
                "Accept",
                "application/json",
                "User-Agent",
                "shadow-demo",
                "Authorization",
                "Bearer demo-user-token");
        Body body = Body.none();
        if (t[2] != null) {
          h = h.with("Content-Type", "application/json");
          body = Body.text(t[2]);
        }
        Sender.Attempt a =
            client.send(recorder.url(), new HttpRequest(t[0], t[1], "HTTP/1.1", h, body)).get();
        if (!a.ok()) {
          throw new IllegalStateException(
              "the demo's recording proxy did not answer: " + a.error());
        }
      }
      RecorderStats stats = recorder.stop(Duration.ofSeconds(10));
      if (stats.recorded() != traffic.size()) {
        throw new IllegalStateException(
            "the demo recorded "
                + stats.recorded()
                + " of "
                + traffic.size()
                + " exchanges: "
                + stats);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("demo interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("demo recording failed: " + e.getCause(), e);
    }
  }
}
