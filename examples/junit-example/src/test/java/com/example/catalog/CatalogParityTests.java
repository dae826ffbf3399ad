package com.example.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shadowtest.junit.ShadowCandidate;
import dev.shadowtest.junit.ShadowReplay;
import dev.shadowtest.junit.ShadowRun;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The migration gate in the new system's own build: the legacy catalog's recorded traffic is
 * replayed against this service, and the build fails when it answers differently on more than
 * 0.5% of the compared exchanges (overall, or per endpoint).
 */
@ShadowReplay(recording = "shadow/legacy-catalog.jsonl", rules = "shadow/shadow-rules.yaml", maxDiscrepancyRate = 0.005)
class CatalogParityTests {

  static CatalogService service;

  @BeforeAll
  static void start() throws IOException {
    service = CatalogService.start(0, Boolean.getBoolean("example.regression"));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @ShadowCandidate
  static String candidate() {
    return service.baseUrl();
  }

  @TestFactory
  @DisplayName("endpoints")
  Stream<DynamicTest> endpoints(ShadowRun run) {
    return run.endpointTests();
  }

  @Test
  void overall(ShadowRun run) {
    run.assertGate();
  }

  @Test
  void everyItemWasCompared(ShadowRun run) {
    assertEquals(100, run.endpoint("GET /api/items/{id}").orElseThrow().compared());
  }
}
