package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The redactor on JSON Web Tokens: a JWS in a header of {@code jwt.headers} keeps its JOSE header
 * and claims and loses its signature; anything else there is masked whole.
 */
class RedactorJwtTests {

  static final ObjectMapper JSON = new ObjectMapper();

  static final String HEADER = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}";

  /** Formatted on purpose: a claims segment that is written again would lose the spaces. */
  static final String CLAIMS =
      "{ \"sub\": \"42\", \"email\": \"ann@example.com\", \"name\": \"Ann\", \"iat\": 1700000000 }";

  static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  static String jwt(String header, String claims) {
    return b64(header) + "." + b64(claims) + ".c2lnbmF0dXJlLW9mLXRoZS1pc3N1ZXI";
  }

  static Redaction keeping(List<String> headers, List<String> sensitiveClaims) {
    return Redaction.defaults().withJwt(new Redaction.Jwt(headers, sensitiveClaims));
  }

  static final Redaction AUTHORIZATION = Redaction.defaults().keepingJwtClaims();

  /** The value of header {@code name} once a request carrying it is redacted by {@code r}. */
  static String redacted(Redactor r, String name, String value) {
    HttpRequest rq = HttpRequest.of("GET", "/").withHeaders(Headers.of(name, value));
    return r.apply(Exchange.of("x", rq, null)).request().headers().first(name).orElseThrow();
  }

  static String redacted(Redaction spec, String value) {
    return redacted(new Redactor(spec, null), "Authorization", value);
  }

  static JsonNode claimsOf(String value) throws IOException {
    String token = value.substring(value.indexOf(' ') + 1);
    return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
  }

  @Test
  void aBearerJwtKeepsItsHeaderAndClaimsByteForByteAndLosesItsSignature() {
    assertThat(redacted(AUTHORIZATION, "Bearer " + jwt(HEADER, CLAIMS)))
        .isEqualTo("Bearer " + b64(HEADER) + "." + b64(CLAIMS) + ".REDACTED");
  }

  @Test
  void theSchemeIsRecognisedInAnyCaseAndKeptAsRecorded() {
    String token = jwt(HEADER, CLAIMS);
    String kept = b64(HEADER) + "." + b64(CLAIMS) + ".REDACTED";
    assertThat(redacted(AUTHORIZATION, "bearer " + token)).isEqualTo("bearer " + kept);
    assertThat(redacted(AUTHORIZATION, "BEARER  " + token)).isEqualTo("BEARER  " + kept);
  }

  @Test
  void aBareJwtIsKeptToo() {
    assertThat(redacted(AUTHORIZATION, jwt(HEADER, CLAIMS)))
        .isEqualTo(b64(HEADER) + "." + b64(CLAIMS) + ".REDACTED");
  }

  @Test
  void anUnsecuredJwtWithAnEmptySignatureIsKeptWithTheSameMark() {
    String token = b64("{\"alg\":\"none\"}") + "." + b64(CLAIMS) + ".";
    assertThat(redacted(AUTHORIZATION, "Bearer " + token))
        .isEqualTo("Bearer " + b64("{\"alg\":\"none\"}") + "." + b64(CLAIMS) + ".REDACTED");
  }

  @Test
  void headerNamesMatchInAnyCase() {
    Redactor r = new Redactor(keeping(List.of("x-ID-token"), List.of()), null);
    assertThat(redacted(r, "X-Id-Token", "Bearer " + jwt(HEADER, CLAIMS)))
        .endsWith(b64(CLAIMS) + ".REDACTED");
    assertThat(redacted(new Redactor(AUTHORIZATION, null), "AUTHORIZATION", jwt(HEADER, CLAIMS)))
        .endsWith(".REDACTED");
  }

  @Test
  void aSensitiveClaimBecomesAKeyedPseudonymThatEqualValuesShare() throws IOException {
    Redactor r =
        new Redactor(
            keeping(Redaction.Jwt.DEFAULT_HEADERS, List.of("email", "name")),
            RedactionKey.of("a key"));
    String first = redacted(r, "Authorization", "Bearer " + jwt(HEADER, CLAIMS));
    String again = redacted(r, "Authorization", "Bearer " + jwt(HEADER, CLAIMS));
    assertThat(first)
        .startsWith("Bearer " + b64(HEADER) + ".")
        .endsWith(".REDACTED")
        .isEqualTo(again)
        .doesNotContain(b64(CLAIMS));
    JsonNode claims = claimsOf(first);
    assertThat(claims.get("email").asText()).isEqualTo(r.mask("ann@example.com"));
    assertThat(claims.get("name").asText()).isEqualTo(r.mask("Ann")).startsWith("hmac:");
    assertThat(claims.get("sub").asText()).isEqualTo("42");
    assertThat(claims.get("iat").asLong()).isEqualTo(1700000000L);
    assertThat(first.split("\\.")[1]).doesNotContain("=");
  }

  @Test
  void withoutAKeyASensitiveClaimBecomesRedacted() throws IOException {
    String kept =
        redacted(
            keeping(Redaction.Jwt.DEFAULT_HEADERS, List.of("email")),
            "Bearer " + jwt(HEADER, CLAIMS));
    JsonNode claims = claimsOf(kept);
    assertThat(claims.get("email").asText()).isEqualTo("[REDACTED]");
    assertThat(claims.get("name").asText()).isEqualTo("Ann");
  }

  @Test
  void sensitiveNumbersObjectsAndArraysAreReplacedWhole() throws IOException {
    String claims =
        "{\"sub\":\"42\",\"phone\":33612345678,\"address\":{\"city\":\"Lyon\"},"
            + "\"groups\":[\"admins\",\"payroll\"]}";
    String kept =
        redacted(
            keeping(Redaction.Jwt.DEFAULT_HEADERS, List.of("phone", "address", "groups")),
            "Bearer " + jwt(HEADER, claims));
    JsonNode c = claimsOf(kept);
    assertThat(c.get("phone").asText()).isEqualTo("[REDACTED]");
    assertThat(c.get("address").asText()).isEqualTo("[REDACTED]");
    assertThat(c.get("groups").asText()).isEqualTo("[REDACTED]");
    assertThat(c.get("sub").asText()).isEqualTo("42");
    assertThat(kept).doesNotContain(b64("Lyon")).doesNotContain("payroll");
  }

  @Test
  void claimsWithoutASensitiveClaimPresentAreKeptByteForByte() {
    assertThat(
            redacted(
                keeping(Redaction.Jwt.DEFAULT_HEADERS, List.of("ssn")),
                "Bearer " + jwt(HEADER, CLAIMS)))
        .isEqualTo("Bearer " + b64(HEADER) + "." + b64(CLAIMS) + ".REDACTED");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Bearer opaque-access-token",
        "Basic dXNlcjpwYXNzd29yZA==",
        "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI0MiJ9", // two segments
        "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2ln.extra", // four segments
        "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2ln!", // not base64url
        "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI0MiJ9=.c2ln", // padding
        "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI0MiJ9X.c2ln", // a length base64 never has
        "Bearer .eyJzdWIiOiI0MiJ9.c2ln", // an empty header
        "Token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2ln", // another scheme
        "Bearer\teyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2ln",
        ""
      })
  void aValueThatIsNoJwtIsMaskedWholeAsToday(String value) {
    assertThat(redacted(AUTHORIZATION, value)).isEqualTo("[REDACTED]");
    Redactor keyed = new Redactor(AUTHORIZATION, RedactionKey.of("a key"));
    assertThat(redacted(keyed, "Authorization", value)).isEqualTo(keyed.mask(value));
  }

  @Test
  void segmentsThatDoNotDecodeToTheRightJsonAreMaskedWhole() {
    for (String value :
        List.of(
            jwt("{\"typ\":\"JWT\"}", CLAIMS), // no alg
            jwt("{\"alg\":7}", CLAIMS), // alg is not a name
            jwt("[\"alg\"]", CLAIMS),
            jwt(HEADER, "[1,2]"), // claims that are not an object
            jwt(HEADER, "{\"sub\":\"42\"} trailing"),
            jwt(HEADER, "{\"sub\":"),
            jwt("not json", CLAIMS))) {
      assertThat(redacted(AUTHORIZATION, "Bearer " + value)).as(value).isEqualTo("[REDACTED]");
    }
  }

  @Test
  void aJweOfFiveSegmentsIsMaskedWhole() {
    String jwe =
        b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}")
            + ".OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe"
            + ".48V1_ALb6US04U3b"
            + ".5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6ji"
            + ".XFBoMYUZodetZdvTiFvSkQ";
    assertThat(redacted(AUTHORIZATION, "Bearer " + jwe)).isEqualTo("[REDACTED]");
  }

  @Test
  void aTokenOverTheBoundIsMaskedWholeUnread() {
    String huge = "{\"sub\":\"42\",\"pad\":\"" + "x".repeat(Redactor.MAX_JWT_CHARS) + "\"}";
    assertThat(redacted(AUTHORIZATION, "Bearer " + jwt(HEADER, huge))).isEqualTo("[REDACTED]");
  }

  @Test
  void deeplyNestedClaimsAreMaskedWhole() {
    String deep = "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertThat(redacted(AUTHORIZATION, "Bearer " + jwt(HEADER, deep))).isEqualTo("[REDACTED]");
  }

  @Test
  void otherCredentialHeadersStayMaskedWholeEvenHoldingAJwt() {
    assertThat(redacted(new Redactor(AUTHORIZATION, null), "Cookie", jwt(HEADER, CLAIMS)))
        .isEqualTo("[REDACTED]");
    assertThat(redacted(Redaction.defaults(), "Bearer " + jwt(HEADER, CLAIMS)))
        .as("without a jwt section, Authorization is masked whole as before")
        .isEqualTo("[REDACTED]");
  }

  @Test
  void aJwtHeaderIsARedactedHeader() {
    Redaction r = keeping(List.of("X-Id-Token"), List.of());
    assertThat(r.headers()).contains("Authorization", "X-Id-Token");
    Redactor redactor = new Redactor(r, null);
    assertThat(redactor.redactsHeader("x-id-token")).isTrue();
    assertThat(redacted(redactor, "X-Id-Token", "opaque")).isEqualTo("[REDACTED]");
    assertThat(redacted(redactor, "Authorization", "Bearer " + jwt(HEADER, CLAIMS)))
        .as("Authorization is not among this section's headers")
        .isEqualTo("[REDACTED]");
  }

  @Test
  void theRecordingHeaderSaysWhichTokensKeptTheirClaimsAndOldHeadersReadWithout(@TempDir Path dir)
      throws IOException {
    Redactor r =
        new Redactor(keeping(List.of("Authorization"), List.of("email")), RedactionKey.of("k"));
    Path out = dir.resolve("rec.jsonl");
    try (RecordingWriter w =
        RecordingWriter.create(out, RecordingHeader.now("test", r.description()))) {
      w.write(
          r.apply(
              Exchange.of(
                  "x",
                  HttpRequest.of("GET", "/")
                      .withHeaders(Headers.of("Authorization", "Bearer " + jwt(HEADER, CLAIMS))),
                  null)));
    }
    String headerLine = Files.readAllLines(out).get(0);
    assertThat(headerLine)
        .contains(
            "\"jwt\":{\"headers\":[\"Authorization\"],\"sensitiveClaims\":[\"email\"]}",
            "\"values\":\"hmac-sha256 pseudonyms\"");
    try (RecordingReader reader = RecordingReader.open(out)) {
      Redaction said = reader.header().redaction();
      assertThat(said.jwt())
          .isEqualTo(new Redaction.Jwt(List.of("Authorization"), List.of("email")));
      assertThat(said.pseudonyms()).isTrue();
      assertThat(reader.next().request().headers().first("Authorization").orElseThrow())
          .endsWith(".REDACTED");
    }
    Path old =
        Files.writeString(
            dir.resolve("old.jsonl"),
            "{\"format\":\"shadow-recording\",\"version\":1,\"source\":\"recorder\","
                + "\"redaction\":{\"headers\":[\"Authorization\"],\"jsonPaths\":[]}}\n");
    try (RecordingReader reader = RecordingReader.open(old)) {
      assertThat(reader.header().redaction().jwt()).isEqualTo(Redaction.Jwt.NONE);
    }
  }
}
