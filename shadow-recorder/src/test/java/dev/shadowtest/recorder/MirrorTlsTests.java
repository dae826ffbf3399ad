package dev.shadowtest.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.ResultsFile;
import dev.shadowtest.http.Connections;
import dev.shadowtest.testing.LoopbackServer;
import dev.shadowtest.testing.TestCertificates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The live mirror to an https candidate behind an internal CA: refused as tls without it, judged with it. */
@Timeout(120)
class MirrorTlsTests {

  @TempDir Path dir;

  /** Sends {@code n} requests through a recorder mirroring to {@code candidate}; its stats. */
  RecorderStats mirror(URI candidate, Path run, Connections connections, int n) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        up.uri(),
                        run.resolveSibling(run.getFileName() + ".jsonl.gz"))
                    .withMirror(
                        new RecorderConfig.Mirroring(candidate, run, Rules.defaults(), List::of)
                            .withConnections(connections)))) {
      for (int i = 0; i < n; i++) {
        HttpResponse<byte[]> live =
            client.send(
                HttpRequest.newBuilder(URI.create(r.url() + "/binary")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(live.statusCode()).isEqualTo(200); // the live client never sees the candidate
      }
      return r.stop(Duration.ofSeconds(20));
    }
  }

  static List<ResultLine> lines(Path run) {
    List<ResultLine> l = new ArrayList<>();
    ResultsFile.read(run.resolve("results.jsonl.gz"), l::add);
    return l;
  }

  @Test
  void anHttpsCandidateIsMirroredWithTheCaItIsSignedBy() throws Exception {
    TestCertificates certs = TestCertificates.get();
    AtomicInteger seen = new AtomicInteger();
    try (LoopbackServer https =
        LoopbackServer.startHttps(
            4,
            certs.serverContext(certs.server(), false),
            false,
            ex -> {
              seen.incrementAndGet();
              LoopbackServer.send(ex, 200, "application/octet-stream", new byte[256]);
            })) {
      RecorderStats untrusted =
          mirror(https.uri(), dir.resolve("no-ca"), Connections.defaults(), 3);
      assertThat(untrusted.mirrored()).isZero();
      assertThat(untrusted.mirrorErrors()).isEqualTo(3);
      assertThat(lines(dir.resolve("no-ca")))
          .extracting(ResultLine::error)
          .allSatisfy(e -> assertThat(e).startsWith("tls: "));
      assertThat(seen.get()).isZero();

      RecorderStats trusted =
          mirror(
              https.uri(), dir.resolve("ca"), Connections.defaults().withCaCert(certs.caCert()), 3);
      assertThat(trusted.mirrored()).isEqualTo(3);
      assertThat(trusted.mirrorErrors()).isZero();
      assertThat(seen.get()).isEqualTo(3);
      assertThat(lines(dir.resolve("ca"))).extracting(ResultLine::error).containsOnlyNulls();
    }
  }
}
