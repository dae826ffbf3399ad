package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The redaction file ({@code --redact FILE}): its {@code jwt:} section and the errors it makes. */
class RedactionFileTests {

  static final Path FILE = Path.of("redact.yaml");

  static Redaction parse(String yaml) {
    return RedactionFile.parse(yaml, FILE);
  }

  static void assertRefused(String yaml, String where) {
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(RecordingException.class)
        .hasMessage(FILE + ":" + where);
  }

  @Test
  void aJwtSectionNamesTheHeadersWhoseTokensKeepTheirClaimsAndTheSensitiveClaims() {
    Redaction r =
        parse(
            """
            version: 1
            headers: [X-Session-Token]
            jwt:
              headers: [Authorization, X-Id-Token]
              sensitiveClaims: [email, name]
            """);
    assertThat(r.jwt().headers()).containsExactly("Authorization", "X-Id-Token");
    assertThat(r.jwt().sensitiveClaims()).containsExactly("email", "name");
    assertThat(r.headers())
        .as("a token that turns out not to be one is masked whole")
        .containsExactly("X-Session-Token", "Authorization", "X-Id-Token");
    assertThat(Redaction.defaults().plus(r).jwt()).isEqualTo(r.jwt());
  }

  @Test
  void aJwtSectionWithoutHeadersKeepsTheTokensOfAuthorization() {
    assertThat(parse("jwt:\n  sensitiveClaims: [email]\n").jwt())
        .isEqualTo(new Redaction.Jwt(List.of("Authorization"), List.of("email")));
    assertThat(parse("jwt: {}\n").jwt())
        .isEqualTo(new Redaction.Jwt(List.of("Authorization"), List.of()));
    assertThat(parse("jwt:\n").jwt())
        .isEqualTo(new Redaction.Jwt(List.of("Authorization"), List.of()));
  }

  @Test
  void withoutAJwtSectionNoTokenKeepsItsClaims() {
    assertThat(parse("version: 1\nheaders: [X-A]\n").jwt()).isEqualTo(Redaction.Jwt.NONE);
    assertThat(Redaction.defaults().jwt().isEmpty()).isTrue();
  }

  @Test
  void keepingJwtClaimsAddsAuthorizationBesideTheFile() {
    Redaction r =
        Redaction.defaults()
            .plus(parse("jwt:\n  headers: [X-Id-Token]\n  sensitiveClaims: [email]\n"))
            .keepingJwtClaims();
    assertThat(r.jwt())
        .isEqualTo(new Redaction.Jwt(List.of("X-Id-Token", "Authorization"), List.of("email")));
  }

  @Test
  void anUnknownKeyInTheJwtSectionNamesFileLineAndKey() {
    assertRefused(
        "version: 1\njwt:\n  headers: [Authorization]\n  sensitive: [email]\n",
        "4: jwt.sensitive: unknown key (known: headers, sensitiveClaims)");
  }

  @Test
  void anUnknownTopLevelKeyNamesTheJwtSectionAmongTheKnownOnes() {
    assertRefused(
        "version: 1\njwts: {}\n",
        "2: jwts: unknown key (known: version, headers, jsonPaths, queryParams, patterns, jwt)");
  }

  @Test
  void aJwtSectionThatIsNoMappingIsRefused() {
    assertRefused(
        "version: 1\njwt: [Authorization]\n",
        "2: jwt: expected a mapping of keys (headers, sensitiveClaims), got [");
  }

  @Test
  void anEmptyHeaderListIsRefused() {
    assertRefused(
        "jwt:\n  sensitiveClaims: [email]\n  headers: []\n",
        "3: jwt.headers: expected at least one header name (leave the jwt section out to redact"
            + " tokens whole)");
  }

  @Test
  void badValuesNameTheirLineAndKey() {
    assertRefused(
        "jwt:\n  sensitiveClaims: email\n", "2: jwt.sensitiveClaims: expected a list of strings");
    assertRefused(
        "jwt:\n  headers: [Authorization]\n  sensitiveClaims: [email, \"\"]\n",
        "3: jwt.sensitiveClaims: expected a non-empty string, got ");
    assertRefused(
        "jwt:\n  headers: [Authorization, 7]\n",
        "2: jwt.headers: expected a non-empty string, got 7");
  }
}
