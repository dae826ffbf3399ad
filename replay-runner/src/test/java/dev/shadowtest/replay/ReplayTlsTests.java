package dev.shadowtest.replay;

import static dev.shadowtest.replay.ReplayerTests.exchange;
import static dev.shadowtest.replay.ReplayerTests.lines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.http.Connections;
import dev.shadowtest.testing.LoopbackServer;
import dev.shadowtest.testing.RawTlsServer;
import dev.shadowtest.testing.TestCertificates;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An HTTPS candidate: TLS failures are candidate errors of the category tls, and end a run. */
@Timeout(120)
class ReplayTlsTests {

  @TempDir Path dir;

  Path recording(int n) {
    List<Exchange> l = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      l.add(exchange("e" + i, "GET", "/a/" + i, 200, "{\"ok\":true}"));
    }
    Path p = dir.resolve("r" + n + ".jsonl");
    try (RecordingWriter w =
        RecordingWriter.create(p, RecordingHeader.now("test", Redaction.none()))) {
      l.forEach(w::write);
    }
    return p;
  }

  @Test
  void anUntrustedCandidateIsATlsErrorAndTheTestCaMakesItMatch() {
    TestCertificates certs = TestCertificates.get();
    try (LoopbackServer https =
        LoopbackServer.startHttps(
            4,
            certs.serverContext(certs.server(), false),
            false,
            ex -> LoopbackServer.send(ex, 200, "application/json", "{\"ok\":true}"))) {
      ReplayResult refused =
          new Replayer(ReplayConfig.of(List.of(recording(3)), https.uri(), dir.resolve("no-ca")))
              .run(ShadowListener.NONE);
      assertThat(refused.result().errors()).isEqualTo(3);
      assertThat(lines(dir.resolve("no-ca")))
          .allSatisfy(
              l -> {
                assertThat(l.verdict()).isEqualTo(Verdict.CANDIDATE_ERROR);
                assertThat(l.error()).startsWith("tls: ");
              });
      ReplayResult trusted =
          new Replayer(
                  ReplayConfig.of(List.of(recording(3)), https.uri(), dir.resolve("ca"))
                      .withConnections(Connections.defaults().withCaCert(certs.caCert())))
              .run(ShadowListener.NONE);
      assertThat(trusted.result().matched()).isEqualTo(3);
      assertThat(trusted.passed()).isTrue();

      ReplayResult aborted =
          new Replayer(
                  ReplayConfig.of(List.of(recording(60)), https.uri(), dir.resolve("many"))
                      .withConcurrency(1))
              .run(ShadowListener.NONE);
      assertThat(aborted.incomplete()).isTrue();
      assertThat(aborted.abortReason())
          .startsWith("candidate unreachable: 20 TLS failures in a row, none answered (tls: ");
      assertThat(aborted.result().exchanges()).isLessThan(60);
    }
  }

  @Test
  void resetsOfAServerThatOnlyWantsAClientCertificateDoNotEndTheRunAsTlsFailures() {
    TestCertificates certs = TestCertificates.get();
    try (RawTlsServer optional =
        RawTlsServer.wantingACertificateAndResetting(certs.serverContext(certs.server(), true))) {
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(List.of(recording(25)), optional.uri(), dir.resolve("out"))
                      .withConcurrency(1)
                      .withConnections(Connections.defaults().withCaCert(certs.caCert())))
              .run(ShadowListener.NONE);
      assertThat(r.abortReason()).isNull();
      assertThat(r.result().exchanges()).isEqualTo(25);
      assertThat(r.result().errors()).isEqualTo(25);
      assertThat(lines(dir.resolve("out")))
          .extracting(ResultLine::error)
          .allSatisfy(e -> assertThat(e).startsWith("reset: "));
    }
  }

  @Test
  void everyTargetSharesTheConnectionsSettings() {
    TestCertificates certs = TestCertificates.get();
    try (LoopbackServer candidate =
            LoopbackServer.startHttps(
                2,
                certs.serverContext(certs.server(), true),
                true,
                ex -> LoopbackServer.send(ex, 200, "application/json", "{\"ok\":true}"));
        LoopbackServer primary =
            LoopbackServer.startHttps(
                2,
                certs.serverContext(certs.server(), true),
                true,
                ex -> LoopbackServer.send(ex, 200, "application/json", "{\"ok\":true}"))) {
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(List.of(recording(2)), candidate.uri(), dir.resolve("out"))
                      .withPrimary(primary.uri(), null)
                      .withConnections(
                          Connections.defaults()
                              .withCaCert(certs.caCert())
                              .withClientCertificate(
                                  certs.client().certificate(), certs.client().key())))
              .run(ShadowListener.NONE);
      assertThat(r.result().matched()).isEqualTo(2);
      assertThat(lines(dir.resolve("out"))).extracting(ResultLine::primaryStatus).containsOnly(200);
    }
  }
}
