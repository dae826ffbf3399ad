package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Every target URL (candidate, primary, secondary, upstream, mirror) is checked alike. */
class BaseUrlsTests {

  @Test
  void httpAndHttpsUrlsWithAHostAndAUsablePortAreTaken() {
    for (String ok :
        new String[] {
          "http://127.0.0.1:8080", "https://new.internal", "http://[::1]:1", "http://h:65535/base"
        }) {
      assertThat(BaseUrls.requireHttp(URI.create(ok), "candidate")).hasToString(ok);
    }
  }

  @Test
  void aPortOutOfRangeIsBadInputNamingTheUrl() {
    for (String bad :
        new String[] {
          "http://127.0.0.1:99999", "http://127.0.0.1:65536", "http://h:0", "http://127.0.0.1:"
        }) {
      assertThatThrownBy(() -> BaseUrls.requireHttp(URI.create(bad), "candidate"))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("candidate has no usable port")
          .hasMessageContaining(bad);
    }
  }

  @Test
  void aQueryOrAFragmentWouldBeDroppedAndIsRefused() {
    for (String bad : new String[] {"http://h:8080/?tenant=a", "http://h:8080/base#x"}) {
      assertThatThrownBy(() -> BaseUrls.requireHttp(URI.create(bad), "candidate"))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("candidate must not hold a query or a fragment")
          .hasMessageContaining(bad);
    }
  }

  @Test
  void credentialsInTheUrlAreRefusedWithoutBeingRepeated() {
    assertThatThrownBy(
            () ->
                BaseUrls.requireHttp(URI.create("http://alice:s3cret@127.0.0.1:8080"), "candidate"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("candidate must not hold a user name or password")
        .hasMessageContaining("http://***@127.0.0.1:8080")
        .hasMessageContaining("--header Authorization=")
        .message()
        .doesNotContain("s3cret")
        .doesNotContain("alice");
  }

  @Test
  void otherSchemesAndUrlsWithoutAHostAreRefused() {
    for (String bad : new String[] {"ftp://h:21", "mailto:a@b", "http:///x", "http://h:abc"}) {
      assertThatThrownBy(() -> BaseUrls.requireHttp(URI.create(bad), "--upstream"))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("--upstream must be an http(s) URL");
    }
  }
}
