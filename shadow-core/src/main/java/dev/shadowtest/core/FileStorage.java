package dev.shadowtest.core;

import java.net.URI;
import java.nio.file.Path;
import java.util.function.Consumer;

/** {@code file:} recordings: {@link RecordingWriter} and {@link RecordingReader}. */
final class FileStorage implements ExchangeStorage {

  @Override
  public String scheme() {
    return "file";
  }

  @Override
  public ExchangeSink openSink(URI target, RecordingHeader header) {
    return RecordingWriter.create(Path.of(target), header);
  }

  @Override
  public ExchangeSource openSource(URI source, Consumer<String> warnings) {
    return RecordingReader.open(Path.of(source), warnings);
  }
}
