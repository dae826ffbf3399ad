package com.example.catalog;

import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

import dev.shadowtest.junit.ShadowReplay;
import dev.shadowtest.junit.ShadowRun;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The migration gate in the new system's own build: the legacy catalog's recorded traffic is
 * replayed against this service on its embedded server, and the build fails when it answers
 * differently on more than 0.5% of the compared exchanges, per endpoint (one dynamic test each)
 * or overall. No candidate is named: with {@code @SpringBootTest(webEnvironment = RANDOM_PORT)}
 * the extension replays against the embedded server ({@code local.server.port}).
 */
@SpringBootTest(webEnvironment = RANDOM_PORT)
@ShadowReplay(recording = "shadow/legacy-catalog.jsonl", rules = "${shadow.rules:shadow/shadow-rules.yaml}")
class CatalogParityTests {

  @TestFactory
  @DisplayName("endpoints")
  Stream<DynamicTest> endpoints(ShadowRun run) {
    return run.endpointTests();
  }

  @Test
  void overall(ShadowRun run) {
    run.assertGate();
  }
}
