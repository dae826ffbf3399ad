package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code transforms:} section: parsing (errors with file, line and key) and each transform. */
class TransformsTests {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static Transforms parse(String yaml) {
    return Rules.parse(yaml, "rules.yaml").transforms();
  }

  static void fails(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(RulesException.class)
        .hasMessageStartingWith(message);
  }

  static TransformRun run(String yaml) {
    return TransformRun.start(parse(yaml), n -> null, Duration.ZERO);
  }

  @Test
  void badEntriesNameTheFileLineAndKey() {
    fails(
        "version: 1\ntransforms:\n  - candidate: {sethHeaders: {A: b}}\n",
        "rules.yaml:3: sethHeaders: unknown key in transforms[0].candidate");
    fails(
        "version: 1\ntransforms:\n  - candidate:\n      replace: [{in: form, regex: a, with: b}]\n",
        "rules.yaml:4: transforms[0].candidate.replace[0].in: expected path, path:NAME");
    fails(
        "version: 1\ntransforms:\n  - candidate:\n      replace: [{in: \"cookie:a\", regex: a, with: b}]\n",
        "rules.yaml:4: transforms[0].candidate.replace[0].in: \"cookie:a\" cannot be used here");
    fails(
        "version: 1\ntransforms:\n  - candidate:\n      replace: [{in: path, regex: \"v(1)\", with: \"$2\"}]\n",
        "rules.yaml:4: transforms[0].candidate.replace[0].with: $2 is no group of the regex (it has 1)");
    fails(
        "version: 1\ntransforms:\n  - candidate:\n      replace: [{in: path, regex: \"v1\", with: \"${x}\"}]\n",
        "rules.yaml:4: transforms[0].candidate.replace[0].with: ${x} is no named group");
    fails(
        "version: 1\ntransforms:\n  - candidate:\n      setHeaders: {X-T: \"${TOKEN}\"}\n",
        "rules.yaml:4: transforms[0].candidate.setHeaders.X-T: ${...} must be ${env:NAME} or ${file:PATH}");
    fails(
        "version: 1\ntransforms:\n  - match: \"GET /a/{id}\"\n    all:\n      shiftTime: [{at: \"path:day\"}]\n",
        "rules.yaml:3: transforms[0].all.shiftTime: path:day: {day} is not a path parameter of \"GET /a/{id}\"");
    fails(
        "version: 1\nsessions: {key: \"header:S\"}\ntransforms:\n  - match: \"GET /a/{id}\"\n    use: [{name: nope, at: \"path:id\"}]\n",
        "rules.yaml:5: transforms[0].use: no entry captures \"nope\"");
    fails(
        "version: 1\ntransforms:\n  - candidate:\n      replace: [{in: path, regex: \"(v1\", with: b}]\n",
        "rules.yaml:4: transforms[0].candidate.replace[0].regex: bad regex: Unclosed group");
    fails(
        "version: 1\ntransforms:\n  - candidate:\n      replace: [{in: \"json:$.a\", regex: a, with: b}]\n",
        "rules.yaml:4: transforms[0].candidate.replace[0].in: \"json:$.a\" cannot be used here");
    fails(
        "version: 1\ntransforms:\n  - candidate:\n      resignJwt: {algorithm: HS256, key: s3cr3t}\n",
        "rules.yaml:4: transforms[0].candidate.resignJwt.key: write the secret's place, not the secret");
    fails(
        "version: 1\ntransforms:\n  - candidate:\n      resignJwt: {algorithm: RS256, key: \"${env:K}\"}\n",
        "rules.yaml:4: transforms[0].candidate.resignJwt.keyFile: RS256 signs with a private key");
    fails(
        "version: 1\ntransforms:\n  - candidate:\n      resignJwt: {algorithm: none}\n",
        "rules.yaml:4: transforms[0].candidate.resignJwt.algorithm: expected HS256, RS256 or ES256");
    fails(
        "version: 1\ntransforms:\n  - candidate:\n      shiftTime: [{at: \"query:from\", epoch: us}]\n",
        "rules.yaml:4: transforms[0].candidate.shiftTime[0].epoch: expected s or ms");
    fails(
        "version: 1\ntransforms:\n  - candidate:\n      setHeaders: {\"Bad Name\": x}\n",
        "rules.yaml:4: transforms[0].candidate.setHeaders: \"Bad Name\" is not a header name");
    fails(
        "version: 1\nsessions: {key: \"header:S\"}\ntransforms:\n  - use: [{name: id, at: \"path:id\"}]\n",
        "rules.yaml:4: transforms[0].use: path:id: {id} is not a path parameter of the entry");
    fails(
        "version: 1\ntransforms:\n  - match: \"POST /orders\"\n    capture: [{name: id, from: \"json:$.id\"}]\n",
        "rules.yaml:3: sessions: missing: capture and use chain values within a session");
    fails(
        "version: 1\nsessions: {key: \"header:S\"}\ntransforms:\n  - candidate: {removeHeaders: [X]}\n",
        "rules.yaml:2: sessions: no transform captures or uses a value");
    fails(
        "version: 1\nsessions: {key: \"json:$.s\"}\n",
        "rules.yaml:2: sessions.key: \"json:$.s\" cannot be used here");
    fails(
        "version: 1\ntransforms:\n  - match: \"GET /a\"\n    capture: [{name: \"1x\", from: \"json:$.id\"}]\n",
        "rules.yaml:4: transforms[0].capture[0].name: \"1x\" is not a name");
  }

  @Test
  void secretsAreResolvedWhenTheRunStartsAndAMissingOneIsAnError() throws Exception {
    Files.writeString(dir.resolve("token"), "from-a-file\n");
    Transforms t =
        parse(
            "version: 1\ntransforms:\n  - candidate:\n      setHeaders:\n"
                + "        X-A: \"Bearer ${env:TOKEN_A}\"\n"
                + "        X-B: \"${file:"
                + dir.resolve("token")
                + "}\"\n");
    TransformRun run = TransformRun.start(t, Map.of("TOKEN_A", "from-env")::get, Duration.ZERO);
    HttpRequest r =
        run.prepare(
                new HttpRequest("GET", "/", null, Headers.of("X-A", "recorded"), null),
                Transforms.Target.CANDIDATE,
                null)
            .request();
    assertThat(r.headers().all("X-A")).containsExactly("Bearer from-env");
    assertThat(r.headers().all("X-B")).containsExactly("from-a-file");
    assertThatThrownBy(() -> TransformRun.start(t, n -> null, Duration.ZERO))
        .isInstanceOf(RulesException.class)
        .hasMessage(
            "rules.yaml:5: transforms.candidate.setHeaders.X-A: the environment variable TOKEN_A is"
                + " not set (or empty)");
    Transforms noFile =
        parse("version: 1\ntransforms:\n  - all:\n      setHeaders: {X-B: \"${file:/no/such}\"}\n");
    assertThatThrownBy(() -> TransformRun.start(noFile, n -> null, Duration.ZERO))
        .hasMessageContaining("/no/such: no such file");
  }

  @Test
  void timestampsKeepTheirFormAndMoveByTheOffset() {
    Transforms.Place at = Transforms.Place.parse("query:t");
    Duration d = Duration.ofDays(2).plusHours(3).plusMinutes(4).plusSeconds(5);
    assertThat(TransformRun.shift("2026-11-24", null, d, 2, at)).isEqualTo("2026-11-26");
    // a date moves by calendar days: recorded at 10:00 on the 24th, replayed 23 hours later
    assertThat(TransformRun.shift("2026-11-24", null, Duration.ofHours(23), 1, at))
        .isEqualTo("2026-11-25");
    assertThat(TransformRun.shift("2026-11-24T09:00", null, d, 2, at))
        .isEqualTo("2026-11-26T12:04");
    assertThat(TransformRun.shift("2026-11-24T09:00:00Z", null, d, 2, at))
        .isEqualTo("2026-11-26T12:04:05Z");
    assertThat(TransformRun.shift("2026-11-24T09:00:00.123456+01:00", null, d, 2, at))
        .isEqualTo("2026-11-26T12:04:05.123456+01:00");
    assertThat(TransformRun.shift("2026-11-24T23:59:59.5-05:00", null, d, 2, at))
        .isEqualTo("2026-11-27T03:04:04.5-05:00");
    assertThat(TransformRun.shift("1763974800", ChronoUnit.SECONDS, d, 2, at))
        .isEqualTo(Long.toString(1763974800L + d.getSeconds()));
    assertThat(TransformRun.shift("1763974800000", ChronoUnit.MILLIS, d, 2, at))
        .isEqualTo(Long.toString(1763974800000L + d.toMillis()));
    assertThatThrownBy(() -> TransformRun.shift("yesterday", null, d, 2, at))
        .hasMessage(
            "shiftTime at query:t: the value is not an ISO-8601 date or date-time (declare"
                + " epoch: s or ms for numbers)");
    assertThatThrownBy(() -> TransformRun.shift("2026-11-24", ChronoUnit.MILLIS, d, 2, at))
        .hasMessage("shiftTime at query:t: the value is not an epoch number in milliseconds");
  }

  @Test
  void aTimestampThatDoesNotParseIsAFailureOfThatRequest() {
    TransformRun run =
        TransformRun.start(
            parse(
                "version: 1\ntransforms:\n  - all:\n      shiftTime: [{at: \"json:$.window.from\"}]\n"),
            n -> null,
            Duration.ofHours(1));
    HttpRequest ok =
        new HttpRequest(
            "POST",
            "/report",
            null,
            Headers.of("Content-Type", "application/json"),
            Body.text("{\"window\":{\"from\":\"2026-11-24T09:00:00Z\",\"n\":1}}"));
    TransformRun.Prepared p = run.prepare(ok, Transforms.Target.PRIMARY, null);
    assertThat(new String(p.request().body().bytes(), StandardCharsets.UTF_8))
        .isEqualTo("{\"window\":{\"from\":\"2026-11-24T10:00:00Z\",\"n\":1}}");
    assertThat(p.applied()).containsExactly("shiftTime at json:$.window.from");
    TransformRun.Prepared bad =
        run.prepare(
            ok.withBody(Body.text("{\"window\":{\"from\":\"soon\"}}")),
            Transforms.Target.PRIMARY,
            null);
    assertThat(bad.failure()).startsWith("shiftTime at json:$.window.from: the value is not");
    TransformRun.Prepared notJson =
        run.prepare(ok.withBody(Body.text("from=soon")), Transforms.Target.PRIMARY, null);
    assertThat(notJson.failure()).isEqualTo("json:$.window.from: the request body is not JSON");
    HttpRequest none = HttpRequest.of("GET", "/report");
    assertThat(run.prepare(none, Transforms.Target.PRIMARY, null).request()).isSameAs(none);
  }

  static Exchange created(String session, String recordedId, String location) {
    return answered(
        "c",
        new HttpRequest(
            "POST", "/orders", null, Headers.of("Cookie", "theme=dark; SID=" + session), null),
        new HttpResponse(
            201,
            "Created",
            Headers.of("Content-Type", "application/json", "Location", location),
            Body.text("{\"order\":{\"id\":" + recordedId + "}}")));
  }

  @Test
  void valuesChainPerSessionAndTargetByCookieHeaderAndJson() {
    TransformRun run =
        run(
            """
            version: 1
            sessions: {key: "cookie:SID"}
            transforms:
              - match: "POST /orders"
                capture:
                  - {name: order, from: "json:$.order.id"}
                  - {name: loc, from: "header:Location", regex: "/orders/(\\\\d+)"}
              - match: "PUT /carts/{cart}"
                use:
                  - {name: order, at: "path:cart"}
                  - {name: order, at: "json:$.orderId"}
                  - {name: loc, at: "query:ref"}
                  - {name: order, at: "header:X-Order"}
            """);
    Exchange e = created("s1", "123", "/orders/123");
    String session = run.sessionOf(e.request());
    assertThat(session).isEqualTo("s1");
    HttpResponse candidate =
        new HttpResponse(
            201,
            "Created",
            Headers.of("Content-Type", "application/json", "Location", "/orders/987"),
            Body.text("{\"order\":{\"id\":987}}"));
    HttpResponse primary =
        new HttpResponse(
            201,
            "Created",
            Headers.of("Content-Type", "application/json", "Location", "/orders/555"),
            Body.text("{\"order\":{\"id\":555}}"));
    assertThat(run.capture(e, Transforms.Target.CANDIDATE, candidate, session).applied())
        .containsExactly("capture order", "capture loc");
    run.capture(e, Transforms.Target.PRIMARY, primary, session);
    HttpRequest later =
        new HttpRequest(
            "PUT",
            "/carts/123?ref=123&x=1",
            null,
            Headers.of("Cookie", "SID=s1", "X-Order", "123", "Content-Type", "application/json"),
            Body.text("{\"orderId\":123,\"note\":\"123\"}"));
    TransformRun.Prepared c = run.prepare(later, Transforms.Target.CANDIDATE, session);
    assertThat(c.failure()).isNull();
    assertThat(c.request().target()).isEqualTo("/carts/987?ref=987&x=1");
    assertThat(c.request().headers().all("X-Order")).containsExactly("987");
    assertThat(new String(c.request().body().bytes(), StandardCharsets.UTF_8))
        .isEqualTo("{\"orderId\":987,\"note\":\"123\"}"); // a number stays a number; other places
    // untouched
    TransformRun.Prepared p = run.prepare(later, Transforms.Target.PRIMARY, session);
    assertThat(p.request().target()).isEqualTo("/carts/555?ref=555&x=1");
    // another session has no such value; nor has the secondary
    assertThat(run.prepare(later, Transforms.Target.CANDIDATE, "s2").failure())
        .startsWith("use order at path:cart: no value captured for \"123\" in this session");
    assertThat(run.prepare(later, Transforms.Target.SECONDARY, session).failure())
        .endsWith("for the secondary");
    // a capture that finds nothing says where it looked
    TransformRun.Captured missing =
        run.capture(
            e,
            Transforms.Target.CANDIDATE,
            new HttpResponse(201, "Created", Headers.of("Location", "/elsewhere"), Body.text("[]")),
            session);
    assertThat(missing.failures())
        .containsExactly(
            "capture order from json:$.order.id: the candidate's response has no json:$.order.id",
            "capture loc from header:Location: the candidate's response has no header:Location"
                + " matching /orders/(\\d+)");
  }

  static String pem(KeyPair keys) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(keys.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  static String token() {
    Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
    return b.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}".getBytes())
        + "."
        + b.encodeToString(
            "{\"sub\":\"u1\",\"iat\":1000,\"exp\":1600,\"roles\":[\"a\"]}".getBytes())
        + ".REDACTED";
  }

  @Test
  void jwtsAreReSignedWithRsaAndEcKeysKeepingTheirClaims() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair rsaKeys = rsa.generateKeyPair();
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ecKeys = ec.generateKeyPair();
    Files.writeString(dir.resolve("rsa.pem"), pem(rsaKeys));
    Files.writeString(dir.resolve("ec.pem"), pem(ecKeys));
    TransformRun run =
        run(
            "version: 1\ntransforms:\n  - candidate:\n      resignJwt: {algorithm: RS256, keyFile: \""
                + dir.resolve("rsa.pem")
                + "\"}\n    primary:\n      resignJwt: {algorithm: ES256, keyFile: \""
                + dir.resolve("ec.pem")
                + "\", header: X-Token}\n");
    HttpRequest r =
        new HttpRequest(
            "GET",
            "/me",
            null,
            Headers.of("Authorization", "Bearer " + token(), "X-Token", token()),
            null);
    long now = Instant.now().getEpochSecond();
    String bearer =
        run.prepare(r, Transforms.Target.CANDIDATE, null)
            .request()
            .headers()
            .first("Authorization")
            .get();
    assertThat(bearer).startsWith("Bearer ");
    JWSObject signed = JWSObject.parse(bearer.substring(7));
    assertThat(signed.verify(new RSASSAVerifier((RSAPublicKey) rsaKeys.getPublic()))).isTrue();
    assertThat(signed.getHeader().getKeyID()).isEqualTo("k1");
    JsonNode claims = JSON.readTree(signed.getPayload().toString());
    assertThat(claims.path("sub").asText()).isEqualTo("u1");
    assertThat(claims.path("roles").get(0).asText()).isEqualTo("a");
    assertThat(claims.path("iat").asLong()).isBetween(now - 5, now + 5);
    assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(600);
    String bare =
        run.prepare(r, Transforms.Target.PRIMARY, null).request().headers().first("X-Token").get();
    assertThat(JWSObject.parse(bare).verify(new ECDSAVerifier((ECPublicKey) ecKeys.getPublic())))
        .isTrue();
    // an EC key where RS256 is asked for
    Transforms wrong =
        parse(
            "version: 1\ntransforms:\n  - candidate:\n      resignJwt: {algorithm: RS256, keyFile: \""
                + dir.resolve("ec.pem")
                + "\"}\n");
    assertThatThrownBy(() -> TransformRun.start(wrong, n -> null, Duration.ZERO))
        .isInstanceOf(RulesException.class)
        .hasMessageContaining("transforms.candidate.resignJwt.keyFile")
        .hasMessageContaining("not a RS256 private key");
  }

  @Test
  void rewritesApplyToTheirTargetsInOrder() {
    TransformRun run =
        run(
            """
            version: 1
            transforms:
              - all:
                  setHeaders: {X-Replay: "1"}
              - match: "GET /v1/{kind}"
                candidate:
                  path: "/v2/{kind}"
                  replace: [{in: "query:q", regex: "\\\\s+", with: "+"}]
                  removeHeaders: [Cookie]
            """);
    HttpRequest r =
        new HttpRequest("GET", "/v1/books?q=a%20%20b&n=1", null, Headers.of("Cookie", "a=1"), null);
    TransformRun.Prepared c = run.prepare(r, Transforms.Target.CANDIDATE, null);
    assertThat(c.request().target()).isEqualTo("/v2/books?q=a%2Bb&n=1");
    assertThat(c.request().headers().contains("Cookie")).isFalse();
    assertThat(c.applied())
        .containsExactly(
            "setHeader X-Replay", "path /v2/{kind}", "replace in query:q", "removeHeader Cookie");
    TransformRun.Prepared s = run.prepare(r, Transforms.Target.SECONDARY, null);
    assertThat(s.request().target()).isEqualTo(r.target());
    assertThat(s.applied()).containsExactly("setHeader X-Replay");
    assertThat(List.of(s.request().headers().first("Cookie").get())).containsExactly("a=1");
  }

  @Test
  void aBodyIsReplacedAsTextAndAValueCapturedFromItByRegex() {
    TransformRun run =
        run(
            """
            version: 1
            sessions: {key: "header:S"}
            transforms:
              - match: "POST /login"
                candidate:
                  replace: [{in: body, regex: "tenant=legacy", with: "tenant=next"}]
                capture: [{name: ticket, from: body, regex: "ticket=([A-Z0-9]+)"}]
              - match: "GET /t/{ticket}"
                use: [{name: ticket, at: "path:ticket"}]
            """);
    HttpRequest login =
        new HttpRequest(
            "POST",
            "/login",
            null,
            Headers.of("S", "1", "Content-Type", "application/x-www-form-urlencoded"),
            Body.text("user=ann&tenant=legacy"));
    TransformRun.Prepared p = run.prepare(login, Transforms.Target.CANDIDATE, "1");
    assertThat(new String(p.request().body().bytes(), StandardCharsets.UTF_8))
        .isEqualTo("user=ann&tenant=next");
    assertThat(p.applied()).containsExactly("replace in body");
    Exchange e =
        answered(
            "l", login, new HttpResponse(200, "OK", Headers.of(), Body.text("ok ticket=AB12 bye")));
    assertThat(
            run.capture(
                    e,
                    Transforms.Target.CANDIDATE,
                    new HttpResponse(200, "OK", Headers.of(), Body.text("ok ticket=ZZ99 bye")),
                    "1")
                .applied())
        .containsExactly("capture ticket");
    assertThat(
            run.prepare(
                    new HttpRequest("GET", "/t/AB12", null, Headers.of("S", "1"), null),
                    Transforms.Target.CANDIDATE,
                    "1")
                .request()
                .target())
        .isEqualTo("/t/ZZ99");
    fails(
        "version: 1\nsessions: {key: \"header:S\"}\ntransforms:\n  - match: \"GET /a\"\n"
            + "    capture: [{name: t, from: body}]\n",
        "rules.yaml:5: transforms[0].capture[0].regex: missing: a value from the body needs a regex");
    fails(
        "version: 1\ntransforms:\n  - candidate:\n      shiftTime: [{at: body}]\n",
        "rules.yaml:4: transforms[0].candidate.shiftTime[0].at: \"body\" cannot be used here");
  }

  @Test
  void aFailureNeverQuotesTheValueItFailedOn() throws Exception {
    Files.writeString(dir.resolve("token"), "opaque-secret-token-123");
    Files.writeString(dir.resolve("key"), "k".repeat(40));
    TransformRun run =
        run(
            "version: 1\ntransforms:\n  - candidate:\n      setHeaders: {Authorization: \"Bearer"
                + " ${file:"
                + dir.resolve("token")
                + "}\"}\n      resignJwt: {algorithm: HS256, key: \"${file:"
                + dir.resolve("key")
                + "}\"}\n      shiftTime: [{at: \"header:Authorization\"}]\n");
    TransformRun.Prepared p =
        run.prepare(HttpRequest.of("GET", "/"), Transforms.Target.CANDIDATE, null);
    assertThat(p.failure()).isNotNull().doesNotContain("opaque-secret-token-123");
  }

  @Test
  void chainedPathValuesAreEncodedAndLookedUpDecoded() {
    TransformRun run =
        run(
            """
            version: 1
            sessions: {key: "header:S"}
            transforms:
              - match: "POST /o"
                capture: [{name: key, from: "json:$.key"}]
              - match: "GET /o/{key}"
                use: [{name: key, at: "path:key"}]
            """);
    Exchange e =
        answered(
            "c",
            new HttpRequest("POST", "/o", null, Headers.of("S", "1"), null),
            new HttpResponse(
                200,
                "OK",
                Headers.of("Content-Type", "application/json"),
                Body.text("{\"key\":\"a b\"}")));
    run.capture(
        e,
        Transforms.Target.CANDIDATE,
        new HttpResponse(
            200,
            "OK",
            Headers.of("Content-Type", "application/json"),
            Body.text("{\"key\":\"x/y?z\"}")),
        "1");
    TransformRun.Prepared p =
        run.prepare(
            new HttpRequest("GET", "/o/a%20b?v=1", null, Headers.of("S", "1"), null),
            Transforms.Target.CANDIDATE,
            "1");
    assertThat(p.failure()).isNull();
    assertThat(p.request().target()).isEqualTo("/o/x%2Fy%3Fz?v=1");
    // what results show: the target without the chained value
    assertThat(p.shownTarget()).isEqualTo("/o/a%20b?v=1");
    // legacy answered without a key (a 4xx): nothing to chain, and no failure
    Exchange refused =
        answered(
            "r",
            e.request(),
            new HttpResponse(
                400, "Bad", Headers.of("Content-Type", "application/json"), Body.text("{}")));
    TransformRun.Captured c =
        run.capture(
            refused,
            Transforms.Target.CANDIDATE,
            new HttpResponse(400, "Bad", Headers.of(), Body.text("{}")),
            "1");
    assertThat(c.failures()).isEmpty();
    assertThat(c.applied()).isEmpty();
  }

  @Test
  void pathParametersAreEditedWhereTheMatchFindsThemAndKeepTheirEscapes() {
    TransformRun run =
        run(
            """
            version: 1
            transforms:
              - match: "GET /users/{id}"
                candidate:
                  path: "/api/v2/users/{id}"
                  replace: [{in: "path:id", regex: "^", with: "u-"}]
              - match: "GET /files/{name}"
                candidate:
                  replace: [{in: "path:name", regex: "abc", with: "x;y"}]
            """);
    assertThat(
            run.prepare(HttpRequest.of("GET", "/users/42"), Transforms.Target.CANDIDATE, null)
                .request()
                .target())
        .isEqualTo("/api/v2/users/u-42");
    // ';' stays escaped (servers read it as a path parameter); bytes that are no UTF-8 stay as sent
    assertThat(
            run.prepare(HttpRequest.of("GET", "/files/abc%20d"), Transforms.Target.CANDIDATE, null)
                .request()
                .target())
        .isEqualTo("/files/x%3By%20d");
    assertThat(
            run.prepare(HttpRequest.of("GET", "/files/%FFabc"), Transforms.Target.CANDIDATE, null)
                .request()
                .target())
        .isEqualTo("/files/%FFx;y");
    // a session id in the segment is no part of the value: edited around, and kept
    assertThat(
            run.prepare(
                    HttpRequest.of("GET", "/files/abc;jsessionid=Z9"),
                    Transforms.Target.CANDIDATE,
                    null)
                .request()
                .target())
        .isEqualTo("/files/x%3By;jsessionid=Z9");
    assertThat(
            run.prepare(
                    HttpRequest.of("GET", "/users/42;jsessionid=Z9"),
                    Transforms.Target.CANDIDATE,
                    null)
                .request()
                .target())
        .isEqualTo("/api/v2/users/u-42");
    fails(
        "version: 1\ntransforms:\n  - candidate:\n      replace: [{in: path, regex: \"[(?<id>]|a\","
            + " with: \"${id}\"}]\n",
        "rules.yaml:4: transforms[0].candidate.replace[0].with: ${id} is no named group");
    assertThat(Transforms.namedGroups("(?<a>x)(?<=y)(?<!z)\\Q(?<q>\\E[(?<c>]\\(?<e>(?<b>w)"))
        .containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void aRecordedValueThatCannotBeReadIsAFailureNotASkip() {
    TransformRun run =
        run(
            """
            version: 1
            sessions: {key: "header:S"}
            transforms:
              - match: "POST /o"
                capture: [{name: key, from: "json:$.key"}]
            """);
    Exchange e =
        answered(
            "c",
            new HttpRequest("POST", "/o", null, Headers.of("S", "1"), null),
            new HttpResponse(
                200,
                "OK",
                Headers.of("Content-Type", "application/json"),
                Body.text("{\"key\":\"" + "k".repeat(5_000) + "\"}")));
    TransformRun.Captured c =
        run.capture(
            e,
            Transforms.Target.CANDIDATE,
            new HttpResponse(200, "OK", Headers.of(), Body.text("{\"key\":\"x\"}")),
            "1");
    assertThat(c.failures())
        .containsExactly(
            "capture key from json:$.key: the recorded response: json:$.key is longer than 4096"
                + " characters");
  }

  /** An exchange recorded at 2026-11-24T10:00:00Z: {@code request} answered by {@code response}. */
  static Exchange answered(String id, HttpRequest request, HttpResponse response) {
    return new Exchange(
        id, Instant.parse("2026-11-24T10:00:00Z"), 1L, request, response, null, Map.of());
  }
}
