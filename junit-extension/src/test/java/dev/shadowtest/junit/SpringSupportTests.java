package dev.shadowtest.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;
import org.springframework.test.context.junit.jupiter.web.SpringJUnitWebConfig;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

/**
 * In Spring's test context (its own Surefire execution, with Spring Framework on the classpath;
 * Spring Boot itself is proven on three lines by examples/spring-boot-example): placeholders come
 * from the test's Environment ({@code @DynamicPropertySource}, test properties), the candidate
 * defaults to {@code local.server.port}, and without a server the replay goes through MockMvc.
 */
class SpringSupportTests {

  static final AtomicInteger HITS = new AtomicInteger();
  static HttpServer server;

  @BeforeAll
  static void start() throws IOException {
    server = TestServices.start(false, HITS);
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  static Events run(Class<?> testCase) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(testCase))
        .execute()
        .allEvents();
  }

  @Configuration
  static class Empty {}

  // ---- fixtures -------------------------------------------------------------------------------

  /** The port from {@code @DynamicPropertySource}, an empty rules property from the test's properties. */
  @SpringJUnitConfig(Empty.class)
  @TestPropertySource(properties = "it.rules=")
  @ShadowReplay(
      recording = "shadow/legacy.jsonl",
      candidate = "http://127.0.0.1:${it.port}",
      rules = "${it.rules}")
  static class DynamicPropertyTestCase {
    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
      registry.add("it.port", () -> server.getAddress().getPort());
    }

    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  /** As under RANDOM_PORT: {@code local.server.port} is set and no candidate is given. */
  @SpringJUnitConfig(Empty.class)
  @ShadowReplay(recording = "shadow/legacy.jsonl")
  static class LocalServerPortTestCase {
    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
      registry.add("local.server.port", () -> server.getAddress().getPort());
    }

    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  @SpringJUnitConfig(Empty.class)
  @ShadowReplay(
      recording = "shadow/legacy.jsonl",
      candidate = "http://localhost:${local.server.port}")
  static class NoServerPortTestCase {
    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  @SpringJUnitConfig(Empty.class)
  @ShadowReplay(recording = "shadow/legacy.jsonl")
  static class NoCandidateAtAllTestCase {
    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  /** The legacy's API in Spring MVC; with {@code regression}, every 4th product has another price. */
  @RestController
  static class Catalog {
    static final AtomicInteger CALLS = new AtomicInteger();
    private final boolean regression;

    Catalog(boolean regression) {
      this.regression = regression;
    }

    @GetMapping("/api/users/{id}")
    ResponseEntity<String> user(@PathVariable("id") int id) {
      CALLS.incrementAndGet();
      return ResponseEntity.ok()
          .contentType(MediaType.APPLICATION_JSON)
          .body(TestServices.user(id));
    }

    @GetMapping("/api/search")
    ResponseEntity<String> search(
        @org.springframework.web.bind.annotation.RequestParam("q") String q) {
      CALLS.incrementAndGet();
      return ResponseEntity.ok()
          .contentType(MediaType.APPLICATION_JSON)
          .body("{\"q\":\"" + q + "\"}");
    }

    @GetMapping("/api/products/{id}")
    ResponseEntity<String> product(@PathVariable("id") int id) {
      CALLS.incrementAndGet();
      return ResponseEntity.ok()
          .contentType(MediaType.APPLICATION_JSON)
          .body(TestServices.product(id, regression));
    }
  }

  /** A servlet filter of the application: a MockMvc built on the context must run it. */
  static class CountingFilter extends OncePerRequestFilter {
    static final AtomicInteger CALLS = new AtomicInteger();

    @Override
    protected void doFilterInternal(
        jakarta.servlet.http.HttpServletRequest request,
        jakarta.servlet.http.HttpServletResponse response,
        jakarta.servlet.FilterChain chain)
        throws jakarta.servlet.ServletException, IOException {
      CALLS.incrementAndGet();
      chain.doFilter(request, response);
    }
  }

  @Configuration
  @EnableWebMvc
  static class CatalogConfig {
    @Bean
    Catalog catalog() {
      return new Catalog(false);
    }

    @Bean
    CountingFilter countingFilter() {
      return new CountingFilter();
    }
  }

  @Configuration
  @EnableWebMvc
  static class RegressedCatalogConfig {
    @Bean
    Catalog catalog() {
      return new Catalog(true);
    }
  }

  /** A web application context and no server: replayed in-process through MockMvc, no port anywhere. */
  @SpringJUnitWebConfig(CatalogConfig.class)
  @ShadowReplay(recording = "shadow/legacy.jsonl")
  static class MockMvcTestCase {
    @TestFactory
    Stream<DynamicTest> endpoints(ShadowRun run) {
      return run.endpointTests();
    }

    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  /** Query strings as a servlet container reads them: '+' is a space, %2B a plus. */
  @SpringJUnitWebConfig(CatalogConfig.class)
  @ShadowReplay(recording = "shadow/search.jsonl")
  static class MockMvcQueryTestCase {
    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  /** The MockMvc handed over by the test itself, on an application with a regression. */
  @SpringJUnitWebConfig(RegressedCatalogConfig.class)
  @ShadowReplay(recording = "shadow/legacy.jsonl")
  static class RegressedMockMvcTestCase {
    @Autowired WebApplicationContext context;

    @ShadowCandidate
    MockMvc mvc() {
      return MockMvcBuilders.webAppContextSetup(context).build();
    }

    @TestFactory
    Stream<DynamicTest> endpoints(ShadowRun run) {
      return run.endpointTests();
    }
  }

  /** A WebFlux candidate handed over as a WebTestClient bound to the controller: no server either. */
  @SpringJUnitConfig(Empty.class)
  @ShadowReplay(recording = "shadow/legacy.jsonl")
  static class WebTestClientTestCase {
    @ShadowCandidate
    static WebTestClient client() {
      return WebTestClient.bindToController(new Catalog(true)).build();
    }

    @TestFactory
    Stream<DynamicTest> endpoints(ShadowRun run) {
      return run.endpointTests();
    }
  }

  /** A WebTestClient bound to a running server: its base URL is used, and its connector's own Host. */
  @SpringJUnitConfig(Empty.class)
  @ShadowReplay(recording = "shadow/legacy.jsonl")
  static class ServerBoundWebTestClientTestCase {
    @ShadowCandidate
    static WebTestClient client() {
      return WebTestClient.bindToServer().baseUrl(TestServices.url(server)).build();
    }

    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  // ---- tests ----------------------------------------------------------------------------------

  @Test
  void placeholdersResolveThroughTheSpringEnvironment() {
    int before = HITS.get();
    run(DynamicPropertyTestCase.class)
        .assertThatEvents()
        .haveExactly(1, event(test("overall"), finishedSuccessfully()));
    assertThat(HITS.get() - before).isEqualTo(40);
  }

  @Test
  void theCandidateDefaultsToTheEmbeddedServersPort() {
    int before = HITS.get();
    run(LocalServerPortTestCase.class)
        .assertThatEvents()
        .haveExactly(1, event(test("overall"), finishedSuccessfully()));
    assertThat(HITS.get() - before).isEqualTo(40);
  }

  @Test
  void springsOwnPlaceholderErrorsAreExplained() {
    run(NoServerPortTestCase.class)
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("overall"),
                finishedWithFailure(
                    message(
                        m ->
                            m.contains(
                                    "candidate = \"http://localhost:${local.server.port}\": Could not resolve placeholder 'local.server.port'")
                                && m.contains(
                                    "local.server.port exists only with @SpringBootTest(webEnvironment = RANDOM_PORT or DEFINED_PORT)")))));
    run(NoCandidateAtAllTestCase.class)
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("overall"),
                finishedWithFailure(
                    message(
                        m ->
                            m.contains(
                                "no candidate: the Spring test context has no embedded server (local.server.port) and no MockMvc")))));
  }

  @Test
  void withoutAServerTheReplayGoesThroughMockMvc() throws IOException {
    int before = HITS.get();
    int calls = Catalog.CALLS.get();
    Events events = run(MockMvcTestCase.class);
    events
        .assertThatEvents()
        .haveExactly(1, event(test(), displayName("GET /api/users/{id}"), finishedSuccessfully()))
        .haveExactly(
            1, event(test(), displayName("GET /api/products/{id}"), finishedSuccessfully()))
        .haveExactly(1, event(test("overall"), finishedSuccessfully()));
    assertThat(Catalog.CALLS.get() - calls).as("every exchange answered in-process").isEqualTo(40);
    assertThat(CountingFilter.CALLS.get())
        .as("through the application's servlet filters")
        .isEqualTo(40);
    assertThat(HITS.get()).as("no HTTP server involved").isEqualTo(before);
    Path summary = Path.of("target/shadow", MockMvcTestCase.class.getName(), "summary.json");
    assertThat(Files.readString(summary)).contains("\"candidate\" : \"MockMvc (in-process)\"");
  }

  @Test
  void inProcessAPlusInTheQueryIsASpaceAsOverHttp() {
    run(MockMvcQueryTestCase.class)
        .assertThatEvents()
        .haveExactly(1, event(test("overall"), finishedSuccessfully()));
  }

  @Test
  void aWebTestClientIsACandidateToo() {
    int calls = Catalog.CALLS.get();
    run(WebTestClientTestCase.class)
        .assertThatEvents()
        .haveExactly(1, event(test(), displayName("GET /api/users/{id}"), finishedSuccessfully()))
        .haveExactly(
            1,
            event(
                test(),
                displayName("GET /api/products/{id}"),
                finishedWithFailure(
                    message(
                        m ->
                            m.startsWith(
                                "GET /api/products/{id}: discrepancy rate 25.00% is above 0.50% (5 of 20 compared, 0 errors)")))));
    assertThat(Catalog.CALLS.get() - calls).isEqualTo(40);
  }

  @Test
  void aWebTestClientBoundToAServerGoesToThatServer() {
    int before = HITS.get();
    run(ServerBoundWebTestClientTestCase.class)
        .assertThatEvents()
        .haveExactly(1, event(test("overall"), finishedSuccessfully()));
    assertThat(HITS.get() - before).isEqualTo(40);
  }

  @Test
  void aMockMvcCandidateFailsTheGateLikeAServer() {
    run(RegressedMockMvcTestCase.class)
        .assertThatEvents()
        .haveExactly(1, event(test(), displayName("GET /api/users/{id}"), finishedSuccessfully()))
        .haveExactly(
            1,
            event(
                test(),
                displayName("GET /api/products/{id}"),
                finishedWithFailure(
                    message(
                        m ->
                            m.startsWith(
                                    "GET /api/products/{id}: discrepancy rate 25.00% is above 0.50% (5 of 20 compared, 0 errors)")
                                && m.contains("VALUE $.price: expected 10.00, actual 10.01")))));
  }
}
