package com.example.catalog;

import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

import dev.shadowtest.junit.ShadowReplay;
import dev.shadowtest.junit.ShadowRun;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The candidate named with a placeholder that Spring resolves: {@code ${local.server.port}} is
 * the embedded server's random port, a property of the test's application context (not a system
 * property), so that the URL can be spelled out, e.g. with another host name or a base path.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT)
@ShadowReplay(recording = "shadow/legacy-catalog.jsonl", rules = "${shadow.rules:shadow/shadow-rules.yaml}",
    candidate = "http://localhost:${local.server.port}")
class PlaceholderCandidateTests {

  @Test
  void overall(ShadowRun run) {
    run.assertGate();
  }
}
