package dev.shadowtest.recorder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Paths that climb above their root, however they are spelled, and paths that do not. */
class DotSegmentsTests {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/..",
        "/../admin",
        "/%2e%2e/admin",
        "/%2E%2E/admin",
        "/a/../../admin",
        "/a/%2e%2e/%2e%2e/admin",
        "/%2e%2e%2fadmin",
        "/..%2Fadmin",
        "/..\\admin",
        "/..%5cadmin",
        "/..;/admin",
        "/%252e%252e/admin",
        "/%c0%ae%c0%ae/admin",
        "/./../admin",
        "/../admin?x=1",
        "..",
        "/a/b/../../../x"
      })
  void climbsOut(String target) {
    assertThat(DotSegments.climbOut(target)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/",
        "/admin",
        "/a/../b",
        "/a/./b",
        "/a/b/../../c",
        "/..a/b",
        "/a..",
        "/a/.../b",
        "/%2e%2eadmin",
        "/x?path=../../etc",
        "/x#/../..",
        "*",
        "/50%",
        "/%zz/.."
      })
  void staysInside(String target) {
    assertThat(DotSegments.climbOut(target)).isFalse();
  }
}
