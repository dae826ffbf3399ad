package dev.shadowtest.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.diff.Judgement;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.RunOutput;
import dev.shadowtest.diff.run.RunView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A new output format is one class: registered on a replay, written from its judged results. */
@Timeout(60)
class RunOutputTests {

  @TempDir Path dir;

  /** Discrepant exchanges per endpoint, as Markdown: the whole format. */
  static final class MarkdownOutput implements RunOutput {
    private final Map<String, Integer> discrepant = new TreeMap<>();
    private RunView run;
    int offered;

    @Override
    public String fileName() {
      return "discrepancies.md";
    }

    @Override
    public void begin(RunView r) {
      run = r;
    }

    @Override
    public void offer(ResultLine line, String endpoint, Judgement.Judged judged) {
      offered++;
      if (judged.discrepant()) {
        discrepant.merge(endpoint, 1, Integer::sum);
      }
    }

    @Override
    public Path finish() throws IOException {
      StringBuilder md =
          new StringBuilder("# ")
              .append(run.collapsed().result().discrepant())
              .append(" discrepant of ")
              .append(run.collapsed().result().compared())
              .append("\n\n| endpoint | discrepant |\n|---|---|\n");
      discrepant.forEach(
          (e, n) -> md.append("| ").append(e).append(" | ").append(n).append(" |\n"));
      Path file = run.out().resolve(fileName());
      Files.writeString(file, md);
      return file;
    }
  }

  @Test
  void anOutputRegisteredOnAReplayIsWrittenFromItsJudgedResults() throws IOException {
    Path rec = dir.resolve("r.jsonl");
    try (RecordingWriter w =
        RecordingWriter.create(rec, RecordingHeader.now("test", Redaction.none()))) {
      for (int i = 0; i < 6; i++) {
        w.write(
            Exchange.of(
                "x" + i,
                new HttpRequest("GET", "/items/" + i, "HTTP/1.1", Headers.empty(), Body.none()),
                new HttpResponse(
                    200,
                    "OK",
                    Headers.of("Content-Type", "application/json"),
                    Body.text("{\"n\":" + i + "}"))));
      }
    }
    // the candidate answers n+1 for odd items
    try (TestServer candidate =
        new TestServer(
            s -> {
              int i = Integer.parseInt(s.target().substring(s.target().lastIndexOf('/') + 1));
              return TestServer.Reply.json("{\"n\":" + (i % 2 == 1 ? i + 1 : i) + "}");
            })) {
      MarkdownOutput md = new MarkdownOutput();
      Map<String, Integer> verdicts = new java.util.concurrent.ConcurrentHashMap<>();
      long[] lastDone = {-1};
      ShadowListener listener =
          new ShadowListener() {
            @Override
            public void judged(String id, String endpoint, String verdict) {
              verdicts.merge(verdict, 1, Integer::sum);
            }

            @Override
            public void progress(long done, long total, long discrepant, double perSecond) {
              lastDone[0] = done;
            }
          };
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve("out"))
                      .withOutputs(List.of(md)))
              .run(listener);
      // one listener hears progress and every judged exchange
      assertThat(verdicts).containsEntry("DIFFERENT", 3).containsEntry("MATCH", 3);
      assertThat(lastDone[0]).isEqualTo(6);
      assertThat(r.result().discrepant()).isEqualTo(3);
      assertThat(md.offered).isEqualTo(6);
      assertThat(Files.readString(dir.resolve("out/discrepancies.md")))
          .startsWith("# 3 discrepant of 6")
          .contains("| GET /items/{id} | 3 |");
    }
  }
}
