package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.Exchange;

/** Where captured exchanges go, on the writer thread only. A failure is counted, never thrown at the live path. */
public interface ExchangeSink extends AutoCloseable {

  void write(Exchange exchange) throws Exception;

  /** Makes what was written so far durable enough to survive a crash of the process. */
  void flush() throws Exception;

  @Override
  void close() throws Exception;
}
