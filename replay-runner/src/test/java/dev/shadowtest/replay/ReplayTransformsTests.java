package dev.shadowtest.replay;

import static dev.shadowtest.replay.ReplayerTests.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.RulesException;
import dev.shadowtest.diff.run.ResultLine;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules' {@code transforms:} on replay, against loopback candidates: JWTs re-signed for a
 * candidate that checks them, ids chained through a create-then-read flow, timestamps shifted,
 * headers and targets rewritten.
 */
@Timeout(60)
class ReplayTransformsTests {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "candidate-secret-of-at-least-32-bytes!";

  @TempDir Path dir;

  Path recording(List<Exchange> exchanges) {
    return ReplayerTests.recording(dir.resolve("r.jsonl.gz"), exchanges);
  }

  /** Rules that re-sign the candidate's HS256 tokens with the secret at {@code key} ({@code ${...}}). */
  static String resigning(String key) {
    return "version: 1\n"
        + "transforms:\n"
        + "  - candidate:\n"
        + "      resignJwt: {algorithm: HS256, key: \""
        + key
        + "\"}\n";
  }

  Rules rules(String yaml) throws Exception {
    Path f = dir.resolve("rules.yaml");
    Files.writeString(f, yaml);
    return Rules.load(f);
  }

  static Exchange exchange(
      String id,
      Instant at,
      String method,
      String target,
      Headers headers,
      String body,
      int status,
      String answer) {
    return new Exchange(
        id,
        at,
        1000L,
        new HttpRequest(
            method, target, "HTTP/1.1", headers, body == null ? Body.none() : Body.text(body)),
        new HttpResponse(
            status, "OK", Headers.of("Content-Type", "application/json"), Body.text(answer)),
        null,
        Map.of());
  }

  // ---- JWT re-signing ----------------------------------------------------------------------

  /** A token as recorded: signed by production's key, expired since the recording. */
  static String expiredToken(String sub) throws Exception {
    long iat = Instant.parse("2026-11-24T10:00:00Z").getEpochSecond();
    JWSObject jws =
        new JWSObject(
            new JWSHeader(JWSAlgorithm.HS256),
            new Payload(
                "{\"sub\":\""
                    + sub
                    + "\",\"scope\":\"orders\",\"iat\":"
                    + iat
                    + ",\"exp\":"
                    + (iat + 900)
                    + "}"));
    jws.sign(new MACSigner("production-secret-nobody-has-in-a-test-0123".getBytes()));
    return jws.serialize();
  }

  /** 200 with the token's subject when the Bearer token verifies with SECRET and has not expired; else 401. */
  static TestServer.Reply checksTokens(TestServer.Seen s) {
    List<String> auth = s.headers().get("Authorization");
    try {
      JWSObject jws = JWSObject.parse(auth.get(0).substring("Bearer ".length()));
      JsonNode claims = JSON.readTree(jws.getPayload().toString());
      if (jws.verify(new MACVerifier(SECRET.getBytes(StandardCharsets.UTF_8)))
          && claims.path("exp").asLong() > Instant.now().getEpochSecond()) {
        return TestServer.Reply.json("{\"user\":\"" + claims.path("sub").asText() + "\"}");
      }
    } catch (Exception e) {
      // unreadable, wrongly signed: refused like the rest
    }
    return TestServer.Reply.json(401, "{\"error\":\"unauthorized\"}", Map.of());
  }

  List<Exchange> withTokens() throws Exception {
    List<Exchange> l = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      l.add(
          exchange(
              "t" + i,
              Instant.parse("2026-11-24T10:00:00Z").plusSeconds(i),
              "GET",
              "/me",
              Headers.of("Authorization", "Bearer " + expiredToken("user" + i)),
              null,
              200,
              "{\"user\":\"user" + i + "\"}"));
    }
    return l;
  }

  @Test
  void expiredTokensAreRefusedAsRecordedAndAcceptedWhenReSigned() throws Exception {
    Files.writeString(dir.resolve("jwt.key"), SECRET + "\n");
    try (TestServer candidate = new TestServer(ReplayTransformsTests::checksTokens)) {
      Path rec = recording(withTokens());
      ReplayResult asRecorded =
          new Replayer(ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve("plain")))
              .run(ShadowListener.NONE);
      assertThat(asRecorded.result().discrepant()).isEqualTo(6);
      assertThat(lines(dir.resolve("plain")))
          .extracting(ResultLine::candidateStatus)
          .containsOnly(401);
      assertThat(String.join("\n", asRecorded.warnings())).contains("401");

      Rules resign = rules(resigning("${file:" + dir.resolve("jwt.key") + "}"));
      Path out = dir.resolve("resigned");
      ReplayResult r =
          new Replayer(ReplayConfig.of(List.of(rec), candidate.uri(), out).withRules(resign))
              .run(ShadowListener.NONE);
      assertThat(r.result().matched()).isEqualTo(6);
      assertThat(r.result().discrepant()).isZero();
      assertThat(lines(out))
          .allSatisfy(
              l -> assertThat(l.transforms()).containsExactly("candidate resignJwt Authorization"));
      JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
      assertThat(summary.path("transforms").path("resignJwt").asLong()).isEqualTo(6);
      assertThat(summary.path("rewritten").asLong()).isEqualTo(6);
      // the claims are the recorded ones; only the times and the signature are new
      String sent =
          candidate.seen.get(candidate.seen.size() - 1).headers().get("Authorization").get(0);
      JsonNode claims = JSON.readTree(JWSObject.parse(sent.substring(7)).getPayload().toString());
      assertThat(claims.path("scope").asText()).isEqualTo("orders");
      assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(900);
    }
  }

  @Test
  void aKeyThatCannotSignIsAClearErrorBeforeAnythingIsSent() throws Exception {
    Files.writeString(dir.resolve("short.key"), "too-short");
    try (TestServer candidate = new TestServer(ReplayTransformsTests::checksTokens)) {
      Rules resign = rules(resigning("${file:" + dir.resolve("short.key") + "}"));
      Path rec = recording(withTokens());
      assertThatThrownBy(
              () ->
                  new Replayer(
                          ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve("o"))
                              .withRules(resign))
                      .run(ShadowListener.NONE))
          .isInstanceOf(RulesException.class)
          .hasMessageContaining("rules.yaml:4: transforms.candidate.resignJwt.key")
          .hasMessageContaining("HS256 needs a secret of at least 32 bytes");
      Rules missing = rules(resigning("${env:SHADOW_TEST_NO_SUCH_VARIABLE}"));
      assertThatThrownBy(
              () ->
                  new Replayer(
                          ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve("o2"))
                              .withRules(missing))
                      .run(ShadowListener.NONE))
          .hasMessageContaining("the environment variable SHADOW_TEST_NO_SUCH_VARIABLE is not set");
      assertThat(candidate.seen).isEmpty();
    }
  }

  @Test
  void aTokenRedactedWholeIsAnErrorOfItsExchangeNotASilentSend() throws Exception {
    Files.writeString(dir.resolve("jwt.key"), SECRET);
    try (TestServer candidate = new TestServer(ReplayTransformsTests::checksTokens)) {
      Path rec =
          recording(
              List.of(
                  exchange(
                      "r1",
                      Instant.parse("2026-11-24T10:00:00Z"),
                      "GET",
                      "/me",
                      Headers.of("Authorization", Redaction.REDACTED),
                      null,
                      200,
                      "{}")));
      Rules resign = rules(resigning("${file:" + dir.resolve("jwt.key") + "}"));
      Path out = dir.resolve("out");
      ReplayResult r =
          new Replayer(ReplayConfig.of(List.of(rec), candidate.uri(), out).withRules(resign))
              .run(ShadowListener.NONE);
      assertThat(candidate.seen).isEmpty();
      assertThat(r.result().errors()).isEqualTo(1);
      assertThat(lines(out).get(0).error())
          .startsWith("transform: candidate: resignJwt: the recorded Authorization is not a JWT")
          .contains("--keep-jwt-claims");
    }
  }

  // ---- value chaining ----------------------------------------------------------------------

  /** A shop that assigns its own ids: 9000 and up, in the order creations arrive. */
  static final class Shop {
    final AtomicInteger next = new AtomicInteger(9000);
    final Map<String, String> items = new ConcurrentHashMap<>();
    final Map<String, List<String>> perSession = new ConcurrentHashMap<>();

    TestServer.Reply handle(TestServer.Seen s) {
      try {
        return answer(s);
      } catch (IOException e) {
        return json(400, "{\"error\":\"not JSON\"}");
      }
    }

    TestServer.Reply answer(TestServer.Seen s) throws IOException {
      String session = s.headers().get("X-session").get(0);
      perSession
          .computeIfAbsent(session, k -> new CopyOnWriteArrayList<>())
          .add(s.method() + " " + s.target());
      try {
        Thread.sleep(ThreadLocalRandom.current().nextInt(3)); // answers in any order
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (s.method().equals("POST")) {
        String id = Integer.toString(next.getAndIncrement());
        items.put(id, JSON.readTree(s.body()).path("item").asText());
        return json(201, "{\"id\":" + id + ",\"item\":\"" + items.get(id) + "\",\"qty\":1}");
      }
      String id = s.target().substring("/orders/".length());
      String item = items.get(id);
      if (item == null) {
        return json(404, "{\"error\":\"no order " + id + "\"}");
      }
      if (s.method().equals("PUT")) {
        JsonNode body = JSON.readTree(s.body());
        if (!body.path("id").asText().equals(id)) {
          return json(400, "{\"error\":\"id in the body is not the order's\"}");
        }
        return json(
            200, "{\"id\":" + id + ",\"item\":\"" + item + "\",\"qty\":" + body.path("qty") + "}");
      }
      return json(200, "{\"id\":" + id + ",\"item\":\"" + item + "\",\"qty\":1}");
    }

    static TestServer.Reply json(int status, String body) {
      return TestServer.Reply.json(status, body, Map.of());
    }
  }

  /** 40 sessions of create, read, update, read, interleaved round robin as a busy recording is. */
  static List<Exchange> createThenRead(int sessions) {
    List<List<Exchange>> perSession = new ArrayList<>();
    Instant t = Instant.parse("2026-11-24T10:00:00Z");
    for (int s = 0; s < sessions; s++) {
      int id = 100 + s;
      String item = "item-" + s;
      Headers h = Headers.of("X-Session", "s" + s, "Content-Type", "application/json");
      String created = "{\"id\":" + id + ",\"item\":\"" + item + "\",\"qty\":1}";
      perSession.add(
          List.of(
              exchange(
                  "s" + s + "-1",
                  t,
                  "POST",
                  "/orders",
                  h,
                  "{\"item\":\"" + item + "\"}",
                  201,
                  created),
              exchange("s" + s + "-2", t, "GET", "/orders/" + id, h, null, 200, created),
              exchange(
                  "s" + s + "-3",
                  t,
                  "PUT",
                  "/orders/" + id,
                  h,
                  "{\"id\":" + id + ",\"qty\":3}",
                  200,
                  "{\"id\":" + id + ",\"item\":\"" + item + "\",\"qty\":3}"),
              exchange("s" + s + "-4", t, "GET", "/orders/" + id, h, null, 200, created)));
    }
    List<Exchange> all = new ArrayList<>();
    for (int step = 0; step < 4; step++) {
      for (List<Exchange> s : perSession) {
        all.add(s.get(step));
      }
    }
    return all;
  }

  static final String CHAINING =
      """
      version: 1
      sessions: {key: "header:X-Session"}
      defaults:
        ignore: ["$.id"]          # the candidate numbers orders its own way
      transforms:
        - match: "POST /orders"
          capture: [{name: orderId, from: "json:$.id"}]
        - match: "GET /orders/{id}"
          use: [{name: orderId, at: "path:id"}]
        - match: "PUT /orders/{id}"
          use: [{name: orderId, at: "path:id"}, {name: orderId, at: "json:$.id"}]
      """;

  @Test
  void chainedIdsReachTheCandidatesOwnOrdersAndSessionsKeepTheirOrder() throws Exception {
    Shop shop = new Shop();
    try (TestServer candidate = new TestServer(shop::handle)) {
      Path rec = recording(createThenRead(40));
      Path out = dir.resolve("out");
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(List.of(rec), candidate.uri(), out)
                      .withRules(rules(CHAINING))
                      .withAllowUnsafe(true)
                      .withConcurrency(16))
              .run(ShadowListener.NONE);
      assertThat(r.incomplete()).isFalse();
      assertThat(r.result().exchanges()).isEqualTo(160);
      assertThat(r.result().matched()).isEqualTo(160);
      // every session reached the candidate in its recorded order, with the candidate's id
      assertThat(shop.perSession).hasSize(40);
      shop.perSession.forEach(
          (session, seen) -> {
            assertThat(seen).hasSize(4);
            assertThat(seen.get(0)).isEqualTo("POST /orders");
            String id = seen.get(1).substring("GET /orders/".length());
            assertThat(Integer.parseInt(id)).isGreaterThanOrEqualTo(9000);
            assertThat(seen.subList(1, 4))
                .containsExactly("GET /orders/" + id, "PUT /orders/" + id, "GET /orders/" + id);
          });
      List<ResultLine> lines = lines(out);
      assertThat(lines)
          .filteredOn(l -> l.method().equals("PUT"))
          .allSatisfy(
              l ->
                  assertThat(l.transforms())
                      .containsExactly(
                          "candidate use orderId at path:id",
                          "candidate use orderId at json:$.id"));
      assertThat(lines)
          .filteredOn(l -> l.method().equals("POST"))
          .allSatisfy(l -> assertThat(l.transforms()).containsExactly("candidate capture orderId"));
      // captured values stay in memory: no candidate id is written anywhere in the run
      assertThat(lines).extracting(ResultLine::candidateTarget).containsOnlyNulls();
      assertThat(Files.readString(out.resolve("summary.json"))).doesNotContain("/orders/90");
      try (InputStream in =
          new GZIPInputStream(Files.newInputStream(out.resolve("results.jsonl.gz")))) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
            .doesNotContain("/orders/90");
      }
      JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
      assertThat(summary.path("transforms").path("use").asLong()).isEqualTo(160);
      assertThat(summary.path("transforms").path("capture").asLong()).isEqualTo(40);
    }
  }

  /** Shards of a chaining run split it by session: each session whole, in order, in one shard. */
  @Test
  void shardsOfAChainingRunKeepEachSessionWhole() throws Exception {
    Shop shop = new Shop();
    try (TestServer candidate = new TestServer(shop::handle)) {
      Path rec = recording(createThenRead(40));
      long matched = 0;
      long exchanges = 0;
      for (int i = 1; i <= 3; i++) {
        ReplayResult r =
            new Replayer(
                    ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve("s" + i))
                        .withRules(rules(CHAINING))
                        .withAllowUnsafe(true)
                        .withShard(new Shard(i, 3)))
                .run(ShadowListener.NONE);
        assertThat(r.result().errors()).as("shard %d/3", i).isZero();
        assertThat(r.result().exchanges() % 4).as("whole sessions").isZero();
        matched += r.result().matched();
        exchanges += r.result().exchanges();
      }
      assertThat(exchanges).isEqualTo(160);
      assertThat(matched).isEqualTo(160);
      assertThat(shop.perSession).hasSize(40);
    }
  }

  @Test
  void recordingsReadOutOfTimeOrderAreSaidToBe() throws Exception {
    Shop shop = new Shop();
    try (TestServer candidate = new TestServer(shop::handle)) {
      List<Exchange> flow = new ArrayList<>(createThenRead(1));
      // the reads were recorded later, but sit in a recording given first
      List<Exchange> late = new ArrayList<>();
      for (Exchange e : flow.subList(1, 4)) {
        late.add(
            new Exchange(
                e.id(),
                e.startedAt().plusSeconds(5),
                e.durationMicros(),
                e.request(),
                e.response(),
                null,
                Map.of()));
      }
      Path first = recording(late);
      Path second = ReplayerTests.recording(dir.resolve("second.jsonl.gz"), flow.subList(0, 1));
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(List.of(first, second), candidate.uri(), dir.resolve("o"))
                      .withRules(rules(CHAINING))
                      .withAllowUnsafe(true))
              .run(ShadowListener.NONE);
      assertThat(r.result().errors()).isEqualTo(3); // the reads came before the creation
      assertThat(r.warnings())
          .anySatisfy(w -> assertThat(w).contains("started before the exchange read before it"));
    }
  }

  @Test
  void withoutChainingTheCandidateIsAskedForLegacysIdsAndAnswers404() throws Exception {
    Shop shop = new Shop();
    try (TestServer candidate = new TestServer(shop::handle)) {
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(
                          List.of(recording(createThenRead(5))), candidate.uri(), dir.resolve("o"))
                      .withRules(rules("version: 1\ndefaults:\n  ignore: [\"$.id\"]\n"))
                      .withAllowUnsafe(true))
              .run(ShadowListener.NONE);
      assertThat(r.result().matched()).isEqualTo(5); // the POSTs
      assertThat(r.result().discrepant()).isEqualTo(15);
    }
  }

  @Test
  void aValueNeverCapturedIsAnErrorWithItsReasonAndNothingIsSent() throws Exception {
    Shop shop = new Shop();
    try (TestServer candidate = new TestServer(shop::handle)) {
      // the creations are not in this recording: nothing to chain from
      List<Exchange> reads = new ArrayList<>(createThenRead(3));
      reads.removeIf(e -> e.request().method().equals("POST"));
      Path out = dir.resolve("out");
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(List.of(recording(reads)), candidate.uri(), out)
                      .withRules(rules(CHAINING))
                      .withAllowUnsafe(true))
              .run(ShadowListener.NONE);
      assertThat(candidate.seen).isEmpty();
      assertThat(r.result().errors()).isEqualTo(9);
      assertThat(lines(out))
          .extracting(ResultLine::error)
          .allSatisfy(
              e ->
                  assertThat(e)
                      .startsWith(
                          "transform: candidate: use orderId at path:id: no value captured for \"10")
                      .contains("in this session"));
    }
  }

  @Test
  void aCaptureThatFindsNothingMakesAMatchAnError() throws Exception {
    try (TestServer candidate =
        new TestServer(
            s -> TestServer.Reply.json(201, "{\"item\":\"item-0\",\"qty\":1}", Map.of()))) {
      Path out = dir.resolve("out");
      List<Exchange> one = createThenRead(1).subList(0, 1);
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(List.of(recording(one)), candidate.uri(), out)
                      .withRules(rules(CHAINING))
                      .withAllowUnsafe(true))
              .run(ShadowListener.NONE);
      assertThat(r.result().errors()).isEqualTo(1);
      assertThat(lines(out).get(0).error())
          .isEqualTo(
              "transform: candidate: capture orderId from json:$.id: the candidate's response has"
                  + " no json:$.id");
    }
  }

  // ---- time shift --------------------------------------------------------------------------

  @Test
  void recordedTimeWindowsArriveShiftedByTheTimeSinceTheRecording() throws Exception {
    Instant recordedAt = Instant.parse("2026-11-24T10:00:00Z");
    try (TestServer candidate = new TestServer(s -> TestServer.Reply.json("{}"))) {
      Path rec =
          recording(
              List.of(
                  exchange(
                      "q1",
                      recordedAt,
                      "GET",
                      "/events?from=2026-11-24T09:00:00Z&to=2026-11-24T10:00:00.000%2B01:00&since=1763974800000",
                      Headers.of("X-Since", "1763974800"),
                      null,
                      200,
                      "{}")));
      Rules shift =
          rules(
              """
              version: 1
              transforms:
                - match: "GET /events"
                  all:
                    shiftTime:
                      - {at: "query:from"}
                      - {at: "query:to"}
                      - {at: "query:since", epoch: ms}
                      - {at: "header:X-Since", epoch: s}
              """);
      Instant before = Instant.now();
      new Replayer(
              ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve("o")).withRules(shift))
          .run(ShadowListener.NONE);
      Instant after = Instant.now();
      TestServer.Seen seen = candidate.seen.get(0);
      Map<String, String> q = query(seen.target());
      Duration elapsedLow = Duration.between(recordedAt, before).minusSeconds(1);
      Duration elapsedHigh = Duration.between(recordedAt, after).plusSeconds(1);
      Instant from = Instant.parse(q.get("from"));
      assertThat(from)
          .isBetween(
              Instant.parse("2026-11-24T09:00:00Z").plus(elapsedLow),
              Instant.parse("2026-11-24T09:00:00Z").plus(elapsedHigh));
      assertThat(q.get("from")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
      assertThat(q.get("to")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+01:00");
      assertThat(Duration.between(from, OffsetDateTime.parse(q.get("to")).toInstant()))
          .isEqualTo(Duration.ZERO); // 10:00+01:00 is 09:00Z: the window keeps its shape
      long since = Long.parseLong(q.get("since"));
      assertThat(since - 1763974800000L).isBetween(elapsedLow.toMillis(), elapsedHigh.toMillis());
      long header = Long.parseLong(seen.headers().get("X-since").get(0));
      assertThat(header - 1763974800L).isBetween(elapsedLow.getSeconds(), elapsedHigh.getSeconds());
    }
  }

  static Map<String, String> query(String target) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String p : target.substring(target.indexOf('?') + 1).split("&")) {
      int eq = p.indexOf('=');
      out.put(p.substring(0, eq), URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  // ---- rewrites and credentials --------------------------------------------------------------

  @Test
  void headerAndTargetRewritesPerTarget() throws Exception {
    Files.writeString(dir.resolve("candidate.token"), "candidate-token\n");
    Files.writeString(dir.resolve("legacy.token"), "legacy-token\n");
    try (TestServer candidate = new TestServer(s -> TestServer.Reply.json("{}"));
        TestServer primary = new TestServer(s -> TestServer.Reply.json("{}"))) {
      Path rec =
          recording(
              List.of(
                  exchange(
                      "h1",
                      Instant.parse("2026-11-24T10:00:00Z"),
                      "GET",
                      "/api/v1/items?limit=10&sort=name",
                      Headers.of(
                          "User-Agent", "mobile-app/v1.9",
                          "X-Debug", "1",
                          "Authorization", Redaction.REDACTED),
                      null,
                      200,
                      "{}")));
      Rules rewrite =
          rules(
              "version: 1\n"
                  + "transforms:\n"
                  + "  - all:\n"
                  + "      setHeaders: {X-Shadow: replay}\n"
                  + "  - match: \"GET /api/v1/items\"\n"
                  + "    primary:\n"
                  + "      setHeaders: {Authorization: \"Bearer ${file:"
                  + dir.resolve("legacy.token")
                  + "}\"}\n"
                  + "    candidate:\n"
                  + "      replace:\n"
                  + "        - {in: path, regex: \"^/api/v1/\", with: \"/api/v2/\"}\n"
                  + "        - {in: query, regex: \"(^|&)limit=\", with: \"$1per_page=\"}\n"
                  + "        - {in: \"header:User-Agent\", regex: \"/v1\\\\.\", with: \"/v2.\"}\n"
                  + "      removeHeaders: [X-Debug]\n"
                  + "      setHeaders: {Authorization: \"Bearer ${file:"
                  + dir.resolve("candidate.token")
                  + "}\"}\n");
      Path out = dir.resolve("out");
      new Replayer(
              ReplayConfig.of(List.of(rec), candidate.uri(), out)
                  .withRules(rewrite)
                  .withPrimary(primary.uri(), null))
          .run(ShadowListener.NONE);
      TestServer.Seen c = candidate.seen.get(0);
      assertThat(c.target()).isEqualTo("/api/v2/items?per_page=10&sort=name");
      assertThat(c.headers().get("User-agent")).containsExactly("mobile-app/v2.9");
      assertThat(c.headers()).doesNotContainKey("X-debug");
      assertThat(c.headers().get("Authorization")).containsExactly("Bearer candidate-token");
      assertThat(c.headers().get("X-shadow")).containsExactly("replay");
      TestServer.Seen p = primary.seen.get(0);
      assertThat(p.target()).isEqualTo("/api/v1/items?limit=10&sort=name");
      assertThat(p.headers().get("User-agent")).containsExactly("mobile-app/v1.9");
      assertThat(p.headers().get("X-debug")).containsExactly("1");
      assertThat(p.headers().get("Authorization")).containsExactly("Bearer legacy-token");
      assertThat(p.headers().get("X-shadow")).containsExactly("replay");
      ResultLine line = lines(out).get(0);
      assertThat(line.candidateTarget()).isEqualTo("/api/v2/items?per_page=10&sort=name");
      assertThat(line.transforms())
          .containsExactly(
              "primary setHeader X-Shadow",
              "primary setHeader Authorization",
              "candidate setHeader X-Shadow",
              "candidate replace in path",
              "candidate replace in query",
              "candidate replace in header:User-Agent",
              "candidate removeHeader X-Debug",
              "candidate setHeader Authorization");
      // the secrets themselves are nowhere in the run's files
      for (Path f : List.of(out.resolve("summary.json"))) {
        assertThat(Files.readString(f)).doesNotContain("candidate-token", "legacy-token");
      }
    }
  }
}
