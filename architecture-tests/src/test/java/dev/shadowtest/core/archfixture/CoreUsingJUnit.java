package dev.shadowtest.core.archfixture;

import org.junit.jupiter.api.Assertions;

/**
 * Breaks the module graph on purpose: a class in shadow-core's packages using JUnit, which only
 * junit-extension may. {@code ArchitectureTests} shows that its rule reports this class.
 */
public final class CoreUsingJUnit {

  private CoreUsingJUnit() {}

  public static void check(boolean ok) {
    Assertions.assertTrue(ok);
  }
}
