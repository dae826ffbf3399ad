package dev.shadowtest.recorder;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.ExchangeSink;
import dev.shadowtest.core.ExchangeSource;
import dev.shadowtest.core.ExchangeStorage;
import dev.shadowtest.core.RecordingHeader;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A storage of a scheme of its own, {@code mem:NAME}, found by the recorder through {@code
 * ServiceLoader} (META-INF/services in the test resources): what a Kafka sink will be, in memory.
 */
public final class MemoryStorage implements ExchangeStorage {

  /** What each name holds: exchanges written, and lines written already encoded. */
  record Held(RecordingHeader header, List<Exchange> exchanges, List<String> lines) {}

  static final Map<String, Held> HELD = new ConcurrentHashMap<>();

  @Override
  public String scheme() {
    return "mem";
  }

  @Override
  public ExchangeSink openSink(URI target, RecordingHeader header) {
    String name = target.getSchemeSpecificPart();
    Held held =
        new Held(
            header,
            Collections.synchronizedList(new ArrayList<>()),
            Collections.synchronizedList(new ArrayList<>()));
    if (HELD.putIfAbsent(name, held) != null) {
      throw new BadInputException("mem:" + name + " already holds a recording");
    }
    return new ExchangeSink() {
      @Override
      public void write(Exchange exchange) {
        held.exchanges().add(exchange);
      }

      @Override
      public void writeLine(String line) {
        held.lines().add(line);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  @Override
  public ExchangeSource openSource(URI source, Consumer<String> warnings) {
    Held held = HELD.get(source.getSchemeSpecificPart());
    if (held == null) {
      throw new BadInputException("no such recording: " + source);
    }
    Iterator<Exchange> it = List.copyOf(held.exchanges()).iterator();
    return new ExchangeSource() {
      @Override
      public RecordingHeader header() {
        return held.header();
      }

      @Override
      public long unreadable() {
        return 0;
      }

      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Exchange next() {
        return it.next();
      }

      @Override
      public void close() {}
    };
  }
}
