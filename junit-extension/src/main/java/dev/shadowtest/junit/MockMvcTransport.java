package dev.shadowtest.junit;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.replay.Transport;
import java.util.List;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * Replays through Spring's {@code MockMvc}: the application's dispatcher is called in-process,
 * without a server or a port. Asynchronous handlers are awaited and dispatched again, as a
 * container would. Unlike a server, MockMvc renders no error page: an exception the application
 * does not handle is a candidate error, and {@code sendError} answers have no body.
 */
final class MockMvcTransport implements Transport {

  /** How long an asynchronous handler may take, like a response timeout. */
  private static final long ASYNC_TIMEOUT_MS = 30_000;

  private final MockMvc mvc;

  private MockMvcTransport(MockMvc mvc) {
    this.mvc = mvc;
  }

  static Transport of(Object mockMvc) {
    return new MockMvcTransport((MockMvc) mockMvc);
  }

  /** The context's MockMvc bean, else one on its servlet web application context, else null. */
  static Transport fromContext(ApplicationContext context) {
    MockMvc mvc = context.getBeanProvider(MockMvc.class).getIfAvailable();
    if (mvc == null && context instanceof WebApplicationContext web && web.getServletContext() != null) {
      mvc = MockMvcBuilders.webAppContextSetup(web).build();
    }
    return mvc == null ? null : new MockMvcTransport(mvc);
  }

  @Override
  public HttpResponse exchange(HttpRequest request) throws Exception {
    MockHttpServletRequestBuilder b = MockMvcRequestBuilders.request(HttpMethod.valueOf(request.method()),
        SpringTransports.uri(request));
    for (Headers.Field f : request.headers()) {
      b.header(f.name(), f.value());
    }
    if (!(request.body() instanceof Body.None)) {
      b.content(request.body().bytes());
    }
    MvcResult result = mvc.perform(b).andReturn();
    if (result.getRequest().isAsyncStarted()) {
      result.getAsyncResult(ASYNC_TIMEOUT_MS);
      result = mvc.perform(MockMvcRequestBuilders.asyncDispatch(result)).andReturn();
    }
    MockHttpServletResponse r = result.getResponse();
    List<String> headers = SpringTransports.pairs();
    for (String name : r.getHeaderNames()) {
      for (String value : r.getHeaders(name)) {
        headers.add(name);
        headers.add(value);
      }
    }
    String reason = r.getErrorMessage();
    byte[] body = r.getContentAsByteArray();
    return new HttpResponse(r.getStatus(), reason == null ? "" : reason, SpringTransports.headers(headers),
        "HEAD".equalsIgnoreCase(request.method()) ? Body.none() : Body.of(body));
  }

  @Override
  public String description() {
    return "MockMvc (in-process)";
  }

}
