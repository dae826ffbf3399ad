package dev.shadowtest.replay;

import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;

/**
 * Sends requests to a candidate that has no port: an application called in-process, such as
 * Spring's {@code MockMvc} or {@code WebTestClient} (the JUnit extension adapts those). With a
 * transport, the replay sends the candidate's requests through it instead of over HTTP; the
 * primary and secondary, if any, are still reached over HTTP.
 *
 * <p>The request is the one a real candidate would receive: origin-form target (with the
 * candidate URL's path prefix), the recorded headers without hop-by-hop ones, the extra headers
 * applied, {@code Host} set, redacted credentials left out. Calls come from up to
 * {@code concurrency} threads at once; a call that throws is a candidate error of category
 * {@code other}, one that exceeds the connect plus response timeout a {@code timeout}.
 */
public interface Transport {

  /** Sends one request and returns the candidate's complete response. */
  HttpResponse exchange(HttpRequest request) throws Exception;

  /** How messages name the candidate, e.g. {@code MockMvc (in-process)}. */
  String description();
}
