package dev.shadowtest.junit;

import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Whether a test class runs in Spring's test context. Spring is optional, detected at run time:
 * this class names it only by strings, and its types are touched only through
 * {@link SpringContext} once this says Spring runs the class.
 */
final class Spring {

  static final String EXTENSION = "org.springframework.test.context.junit.jupiter.SpringExtension";

  private static final boolean PRESENT = present();

  private Spring() {}

  private static boolean present() {
    try {
      Class.forName(EXTENSION, false, Spring.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * True when Spring's extension runs {@code testClass} ({@code @SpringBootTest},
   * {@code @WebMvcTest}, {@code @SpringJUnitConfig}, {@code @ExtendWith(SpringExtension.class)}...),
   * on the class itself or, for a {@code @Nested} class, on an enclosing one.
   */
  static boolean manages(Class<?> testClass) {
    if (!PRESENT) {
      return false;
    }
    for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
      List<ExtendWith> extensions =
          AnnotationSupport.findRepeatableAnnotations(c, ExtendWith.class);
      for (ExtendWith e : extensions) {
        for (Class<?> x : e.value()) {
          if (x.getName().equals(EXTENSION)) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
