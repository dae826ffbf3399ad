package dev.shadowtest.junit;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.replay.Transport;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.ApplicationContext;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
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
 *
 * <p>A MockMvc the test context holds ({@code @AutoConfigureMockMvc}, {@code @WebMvcTest}) comes
 * with the application's servlet filters (Spring Security's included). One built here on a bare
 * web application context gets the context's {@code Filter} beans, in their order; a context that
 * registers filters any other way (Spring Boot's {@code FilterRegistrationBean}) is refused
 * rather than replayed without them.
 */
final class MockMvcTransport implements Transport {

  private static final String FILTER_REGISTRATION =
      "org.springframework.boot.web.servlet.AbstractFilterRegistrationBean";

  private final MockMvc mvc;

  /** How long an asynchronous handler may take: the response timeout. */
  private final long asyncTimeoutMs;

  private MockMvcTransport(MockMvc mvc, Duration timeout) {
    this.mvc = mvc;
    this.asyncTimeoutMs = timeout.toMillis();
  }

  static Transport of(Object mockMvc, Duration timeout) {
    return new MockMvcTransport((MockMvc) mockMvc, timeout);
  }

  /**
   * The context's MockMvc bean, else one on its servlet web application context with its filter
   * beans, else null.
   *
   * @throws BadInputException when the context registers filters a MockMvc built here would miss
   */
  static Transport fromContext(ApplicationContext context, Duration timeout) {
    MockMvc mvc = context.getBeanProvider(MockMvc.class).getIfAvailable();
    if (mvc == null
        && context instanceof WebApplicationContext web
        && web.getServletContext() != null) {
      String[] registrations = registrations(context);
      if (registrations.length > 0) {
        throw new BadInputException(
            "the Spring test context has no server and no MockMvc, and a MockMvc built"
                + " here would miss the servlet filters it registers ("
                + String.join(", ", registrations)
                + "), Spring"
                + " Security's among them if any: add @AutoConfigureMockMvc to the test class (Spring Boot then builds"
                + " MockMvc with them), or hand one over with @ShadowCandidate");
      }
      List<jakarta.servlet.Filter> filters =
          new ArrayList<>(context.getBeansOfType(jakarta.servlet.Filter.class).values());
      AnnotationAwareOrderComparator.sort(filters);
      mvc =
          MockMvcBuilders.webAppContextSetup(web)
              .addFilters(filters.toArray(jakarta.servlet.Filter[]::new))
              .build();
    }
    return mvc == null ? null : new MockMvcTransport(mvc, timeout);
  }

  private static String[] registrations(ApplicationContext context) {
    try {
      Class<?> type =
          Class.forName(FILTER_REGISTRATION, false, MockMvcTransport.class.getClassLoader());
      return context.getBeanNamesForType(type);
    } catch (ClassNotFoundException | LinkageError e) {
      return new String[0]; // not Spring Boot
    }
  }

  @Override
  public HttpResponse exchange(HttpRequest request) throws Exception {
    URI uri = SpringTransports.uri(request);
    String query = uri.getRawQuery();
    // a servlet container reads '+' in a query as a space (form encoding); MockMvc's URI parsing
    // keeps it a '+': the parameters are read from the query with '+' as %20, and the request
    // keeps the query as recorded
    boolean plus = query != null && query.indexOf('+') >= 0;
    MockHttpServletRequestBuilder b =
        MockMvcRequestBuilders.request(
            HttpMethod.valueOf(request.method()),
            plus
                ? URI.create(
                    uri.getScheme()
                        + "://"
                        + uri.getRawAuthority()
                        + uri.getRawPath()
                        + "?"
                        + query.replace("+", "%20"))
                : uri);
    if (plus) {
      b.with(
          r -> {
            r.setQueryString(query);
            return r;
          });
    }
    for (Headers.Field f : request.headers()) {
      b.header(f.name(), f.value());
    }
    if (!(request.body() instanceof Body.None) && !(request.body() instanceof Body.NotCaptured)) {
      b.content(request.body().bytes());
    }
    MvcResult result = mvc.perform(b).andReturn();
    if (result.getRequest().isAsyncStarted()) {
      result.getAsyncResult(asyncTimeoutMs);
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
    return new HttpResponse(
        r.getStatus(),
        reason == null ? "" : reason,
        SpringTransports.headers(headers),
        "HEAD".equalsIgnoreCase(request.method()) ? Body.none() : Body.of(body));
  }

  @Override
  public String description() {
    return "MockMvc (in-process)";
  }
}
