package com.example.catalog;

import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

import dev.shadowtest.junit.ShadowCandidate;
import dev.shadowtest.junit.ShadowReplay;
import dev.shadowtest.junit.ShadowRun;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The candidate given by Spring's own injection: the {@code @LocalServerPort} instance field,
 * marked {@code @ShadowCandidate}, is the embedded server's port (a bare port means
 * {@code http://127.0.0.1:PORT}).
 */
@SpringBootTest(webEnvironment = RANDOM_PORT)
@ShadowReplay(recording = "shadow/legacy-catalog.jsonl", rules = "${shadow.rules:shadow/shadow-rules.yaml}")
class PortFieldCandidateTests {

  @ShadowCandidate
  @LocalServerPort
  int port;

  @Test
  void overall(ShadowRun run) {
    run.assertGate();
  }
}
