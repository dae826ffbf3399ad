package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Storages by URI scheme: files built in, others through ServiceLoader, duplicates refused. */
class ExchangeStorageTests {

  @TempDir Path dir;

  /** A second storage claiming {@code file:}. */
  public static final class AnotherFileStorage implements ExchangeStorage {
    @Override
    public String scheme() {
      return "FILE";
    }

    @Override
    public ExchangeSink openSink(URI target, RecordingHeader header) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ExchangeSource openSource(URI source, Consumer<String> warnings) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void twoStoragesOfOneSchemeAreRefusedNamingBoth() throws Exception {
    Path services = Files.createDirectories(dir.resolve("META-INF/services"));
    Files.writeString(
        services.resolve(ExchangeStorage.class.getName()), AnotherFileStorage.class.getName());
    ClassLoader before = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      Thread.currentThread().setContextClassLoader(loader);
      assertThatThrownBy(ExchangeStorage::all)
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("two exchange storages serve the scheme \"file\"")
          .hasMessageContaining(AnotherFileStorage.class.getName())
          .hasMessageContaining("FileStorage");
    } finally {
      Thread.currentThread().setContextClassLoader(before);
    }
    assertThat(ExchangeStorage.all()).containsOnlyKeys("file");
  }

  @Test
  void filesAreWrittenAndReadThroughTheSinkAndSourceOfTheirScheme() {
    Path file = dir.resolve("rec.jsonl");
    Exchange e = Exchange.of("a1", HttpRequest.of("GET", "/x"), null);
    try (ExchangeSink sink =
        ExchangeStorage.sink(
            file.toUri().toString(), RecordingHeader.now("t", Redaction.defaults()))) {
      sink.write(e);
      sink.writeLine(
          "{\"id\":\"a2\",\"request\":{\"method\":\"GET\",\"target\":\"/y\",\"headers\":[]},\"response\":null}");
      assertThatThrownBy(() -> sink.writeLine("{\"id\":\"a3\"}\n{}"))
          .isInstanceOf(UnwritableExchangeException.class)
          .hasMessageContaining("one line");
    }
    List<String> warnings = new ArrayList<>();
    try (ExchangeSource source = ExchangeStorage.source(file.toString(), warnings::add)) {
      assertThat(source.hasNext()).isTrue();
      String first = source.next().id();
      assertThat(source.hasNext()).as("%s", warnings).isTrue();
      List<String> ids = List.of(first, source.next().id());
      assertThat(ids).containsExactly("a1", "a2");
      assertThat(source.hasNext()).isFalse();
      assertThat(source.header().source()).isEqualTo("t");
    }
  }
}
