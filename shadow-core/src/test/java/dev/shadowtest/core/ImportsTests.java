package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every import and export does with its output: never destroy a file. */
class ImportsTests {

  @TempDir Path dir;

  Path har;

  @BeforeEach
  void copyFixture() throws IOException {
    har = dir.resolve("shop.har");
    try (InputStream in = getClass().getResourceAsStream("/har/shop.har")) {
      Files.copy(in, har);
    }
  }

  String[] files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
    }
  }

  @Test
  void anExistingOutputIsRefusedAndLeftAsItWas() throws IOException {
    Path out = Files.writeString(dir.resolve("rec.jsonl"), "precious");
    assertThatThrownBy(() -> HarImporter.importFile(har, out, Redaction.none()))
        .isInstanceOf(RecordingException.class)
        .hasMessage(out + ": already exists; not overwritten (--force replaces it)");
    assertThat(Files.readString(out)).isEqualTo("precious");
    assertThat(files()).containsExactly("rec.jsonl", "shop.har");
  }

  @Test
  void anExistingOutputIsReplacedWithOverwrite() throws IOException {
    Path out = Files.writeString(dir.resolve("rec.jsonl"), "old");
    ImportResult r = HarImporter.importFile(har, out, ImportOptions.defaults().withOverwrite(true));
    assertThat(r.exchanges()).isEqualTo(7);
    assertThat(HarImporterTests.read(out)).hasSize(7);
  }

  @Test
  void anImportNeverWritesOverItsInputEvenWithOverwrite() throws IOException {
    byte[] before = Files.readAllBytes(har);
    Files.createDirectory(dir.resolve("sub"));
    Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), har);
    for (Path out : new Path[] {har, dir.resolve("sub/../shop.har"), link}) {
      assertThatThrownBy(
              () -> HarImporter.importFile(har, out, ImportOptions.defaults().withOverwrite(true)))
          .as(out.toString())
          .isInstanceOf(RecordingException.class)
          .hasMessage(
              out
                  + ": is the input file; an import or export never writes over its input, even with --force");
    }
    assertThat(Files.readAllBytes(har)).isEqualTo(before);
    assertThat(files()).containsExactly("link.jsonl", "shop.har", "sub");
  }

  @Test
  void aHardLinkToTheInputIsTheInputToo() throws IOException {
    Path gor = dir.resolve("in.gor");
    Files.writeString(gor, "1 r1 1000 0\nGET / HTTP/1.1\r\n\r\n" + GorImporterTests.SEP);
    Path hard = Files.createLink(dir.resolve("hard.jsonl"), gor);
    assertThatThrownBy(
            () -> GorImporter.importFile(gor, hard, ImportOptions.defaults().withOverwrite(true)))
        .hasMessageContaining("is the input file");
  }

  @Test
  void anExportRefusesAnExistingFileAndItsOwnRecording() throws IOException {
    Path rec = dir.resolve("rec.jsonl");
    HarImporter.importFile(har, rec, Redaction.none());
    Path existing = Files.writeString(dir.resolve("old.har"), "precious");
    assertThatThrownBy(() -> HarExporter.exportFile(rec, existing))
        .hasMessage(existing + ": already exists; not overwritten (--force replaces it)");
    assertThat(Files.readString(existing)).isEqualTo("precious");
    assertThatThrownBy(() -> HarExporter.exportFile(rec, rec, true, w -> {}))
        .hasMessageContaining("is the input file");
    assertThat(HarImporterTests.read(rec)).hasSize(7);
    HarExporter.exportFile(rec, existing, true, w -> {});
    assertThat(Files.readString(existing)).startsWith("{");
  }

  @Test
  void anOutputLinkIsReplacedNeverWrittenThrough() throws IOException {
    Path elsewhere = Files.writeString(dir.resolve("elsewhere.txt"), "not yours");
    Path link = Files.createSymbolicLink(dir.resolve("out.jsonl"), elsewhere);
    HarImporter.importFile(har, link, ImportOptions.defaults().withOverwrite(true));
    assertThat(Files.readString(elsewhere)).isEqualTo("not yours");
    assertThat(Files.isSymbolicLink(link)).isFalse();
    assertThat(HarImporterTests.read(link)).hasSize(7);
  }

  @Test
  void theBodyLimitIsBetweenZeroAnd100MiB() {
    assertThat(ImportOptions.defaults().maxBody()).isEqualTo(10L << 20);
    assertThat(ImportOptions.defaults().withMaxBody(0).maxBody()).isZero();
    assertThatThrownBy(() -> ImportOptions.defaults().withMaxBody(-1))
        .isInstanceOf(BadInputException.class);
    assertThatThrownBy(() -> ImportOptions.defaults().withMaxBody((100L << 20) + 1))
        .hasMessage("the body limit must be 0 to 104857600 bytes (100 MiB), got 104857601");
  }

  @Test
  void anImportAppliesARedactionFileLikeTheRecorder() throws IOException {
    Path har = dir.resolve("secrets.har");
    Files.writeString(
        har,
        """
        {"log": {"entries": [{"startedDateTime": "2026-11-24T10:00:00Z", "time": 1,
          "request": {"method": "POST", "url": "http://h/pay?token=T0P&x=1", "headers": [
              {"name": "Authorization", "value": "Bearer abc"}, {"name": "X-Session", "value": "s1"},
              {"name": "Content-Type", "value": "application/json"}],
            "postData": {"mimeType": "application/json", "text": "{\\"card\\":{\\"number\\":\\"4111\\"},\\"n\\":1}"}},
          "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "text/plain"}],
            "content": {"size": 26, "mimeType": "text/plain", "text": "ssn 123-45-6789 confirmed"}}}]}}
        """);
    Path rules =
        Files.writeString(
            dir.resolve("redact.yaml"),
            """
        version: 1
        headers: [X-Session]
        jsonPaths: ["$.card.number"]
        queryParams: [token]
        patterns: ["\\\\d{3}-\\\\d{2}-\\\\d{4}"]
        """);
    Path out = dir.resolve("rec.jsonl");
    ImportResult r =
        HarImporter.importFile(
            har, out, ImportOptions.defaults().withRedaction(Redaction.load(rules)));
    assertThat(r.exchanges()).isEqualTo(1);
    String written = Files.readString(out);
    assertThat(written)
        .doesNotContain("abc")
        .doesNotContain("s1\"")
        .doesNotContain("4111")
        .doesNotContain("T0P")
        .doesNotContain("123-45-6789");
    try (RecordingReader reader = RecordingReader.open(out)) {
      Redaction said = reader.header().redaction();
      assertThat(said.headers()).contains("Authorization", "X-Session");
      assertThat(said.jsonPaths()).containsExactly("$.card.number");
      assertThat(said.queryParams()).containsExactly("token");
      assertThat(said.patterns()).hasSize(1);
      Exchange e = reader.next();
      assertThat(e.request().target()).isEqualTo("/pay?token=%5BREDACTED%5D&x=1");
      assertThat(e.request().body().bytes()).asString().contains("\"n\":1");
    }
    // one redaction spec: the file's lists come with the default credential headers
    assertThat(Redaction.load(rules).headers()).contains("Authorization", "X-Session");
  }
}
