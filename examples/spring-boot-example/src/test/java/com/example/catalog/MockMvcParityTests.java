package com.example.catalog;

import dev.shadowtest.junit.ShadowCandidate;
import dev.shadowtest.junit.ShadowReplay;
import dev.shadowtest.junit.ShadowRun;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The gate without a server: with the default mock web environment there is no port, and the
 * recording is replayed through {@link MockMvc} (the application's filters included), the
 * {@code @ShadowCandidate}. Fast, and enough when nothing between the servlet container and the
 * controllers is under test.
 */
@SpringBootTest
@AutoConfigureMockMvc
@ShadowReplay(recording = "shadow/legacy-catalog.jsonl", rules = "${shadow.rules:shadow/shadow-rules.yaml}")
class MockMvcParityTests {

  @ShadowCandidate
  @Autowired
  MockMvc mvc;

  @Test
  void overall(ShadowRun run) {
    run.assertGate();
  }
}
