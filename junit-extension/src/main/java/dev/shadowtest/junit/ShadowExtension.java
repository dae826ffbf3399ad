package dev.shadowtest.junit;

import dev.shadowtest.core.Headers;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.replay.Progress;
import dev.shadowtest.replay.ReplayConfig;
import dev.shadowtest.replay.ReplayResult;
import dev.shadowtest.replay.Replayer;
import dev.shadowtest.reports.Reports;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * Backs {@link ShadowReplay}: resolves {@link ShadowRun} parameters, replaying the recording the
 * first time a test of the class asks (after {@code @BeforeAll}, so a candidate the class starts
 * itself is up). Stateless: the run lives in the class's {@link ExtensionContext.Store}, so it is
 * replayed once per class and its temporary files are deleted when the class is done.
 */
final class ShadowExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ShadowExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == ShadowRun.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext classContext = annotatedClassContext(context);
    Class<?> testClass = classContext.getRequiredTestClass();
    ShadowReplay config = AnnotationSupport.findAnnotation(testClass, ShadowReplay.class).orElseThrow();
    return classContext.getStore(NAMESPACE)
        .getOrComputeIfAbsent(testClass, k -> replay(config, testClass, context), ShadowRun.class);
  }

  /**
   * The context of the class that carries {@code @ShadowReplay}: the test class itself, or for a
   * {@code @Nested} class the enclosing one, so that nested tests share its single replay.
   */
  private static ExtensionContext annotatedClassContext(ExtensionContext context) {
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      if (c.getTestMethod().isEmpty() && c.getTestClass().isPresent()
          && AnnotationSupport.isAnnotated(c.getTestClass().get(), ShadowReplay.class)) {
        return c;
      }
    }
    throw new ParameterResolutionException(context.getRequiredTestClass().getName()
        + " asks for a ShadowRun but neither it nor an enclosing class has @ShadowReplay");
  }

  private static ShadowRun replay(ShadowReplay a, Class<?> testClass, ExtensionContext context) {
    List<Path> temporary = new ArrayList<>();
    try {
      Path recording = locate("recording", Placeholders.resolve("recording", a.recording()), temporary);
      URI candidate = candidate(a, testClass, context);
      Rules rules = a.rules().isBlank() ? Rules.defaults()
          : Rules.load(locate("rules", Placeholders.resolve("rules", a.rules()), temporary));
      Gate gate = gate(a);
      Path out = Path.of(Placeholders.resolve("outputDirectory", a.outputDirectory())).resolve(testClass.getName());
      clean(out);
      ReplayConfig config = ReplayConfig.of(List.of(recording), candidate, out)
          .withPrimary(uri("primary", a.primary()), uri("secondary", a.secondary()))
          .withRules(rules)
          .withConcurrency(a.concurrency())
          .withAllowUnsafe(a.allowUnsafe())
          .withExtraHeaders(headers(a.headers()))
          .withTimeouts(Duration.ofSeconds(5), seconds(a.timeoutSeconds()))
          .withGate(gate);
      ReplayResult result = new Replayer(config).run(Progress.NONE);
      Reports.Written written = Reports.write(out, Reports.Options.defaults().withRules(rules).withGate(gate));
      context.publishReportEntry("shadow.report", written.html().toAbsolutePath().toString());
      return new ShadowRun(testClass.getName(), recording, candidate, rules, gate, result, written, temporary);
    } catch (IllegalArgumentException | dev.shadowtest.core.RecordingException | dev.shadowtest.diff.RulesException e) {
      deleteAll(temporary);
      throw new ExtensionConfigurationException("@ShadowReplay on " + testClass.getName() + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      deleteAll(temporary);
      throw e;
    }
  }

  private static URI candidate(ShadowReplay a, Class<?> testClass, ExtensionContext context) {
    List<Field> fields = AnnotationSupport.findAnnotatedFields(testClass, ShadowCandidate.class, f -> true,
        HierarchyTraversalMode.BOTTOM_UP);
    List<Method> methods = AnnotationSupport.findAnnotatedMethods(testClass, ShadowCandidate.class,
        HierarchyTraversalMode.BOTTOM_UP);
    int supplied = fields.size() + methods.size();
    // resolved first: "${shadow.candidate.url:}" falls back to @ShadowCandidate when the property is unset
    String given = Placeholders.resolve("candidate", a.candidate()).strip();
    if (!given.isEmpty()) {
      if (supplied > 0) {
        throw new IllegalArgumentException("candidate is given twice: in @ShadowReplay(candidate = \"" + a.candidate()
            + "\") and by @ShadowCandidate; keep one (or let the annotation's placeholder resolve to empty)");
      }
      return uri("candidate", given);
    }
    if (supplied != 1) {
      throw new IllegalArgumentException(supplied == 0
          ? "no candidate: set @ShadowReplay(candidate = \"http://...\") (\"" + a.candidate() + "\" resolved to nothing)"
              + " or annotate a field or method with @ShadowCandidate"
          : "more than one @ShadowCandidate (" + supplied + "); keep one");
    }
    Object instance = context.getTestInstances().flatMap(i -> i.findInstance(testClass)).orElse(null);
    Object value;
    String where;
    try {
      if (!fields.isEmpty()) {
        Field f = fields.get(0);
        where = "field " + f.getName();
        f.setAccessible(true);
        value = f.get(target(f.getModifiers(), instance, where));
      } else {
        Method m = methods.get(0);
        where = "method " + m.getName() + "()";
        if (m.getParameterCount() != 0) {
          throw new IllegalArgumentException("@ShadowCandidate " + where + " must take no arguments");
        }
        m.setAccessible(true);
        value = m.invoke(target(m.getModifiers(), instance, where));
      }
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException("@ShadowCandidate could not be read: " + cause, cause);
    }
    if (value == null) {
      throw new IllegalArgumentException("@ShadowCandidate " + where + " is null: is the candidate started in @BeforeAll?");
    }
    if (value instanceof URL url) {
      value = url.toString();
    }
    return uri("@ShadowCandidate " + where, value.toString());
  }

  private static Object target(int modifiers, Object instance, String where) {
    if (Modifier.isStatic(modifiers)) {
      return null;
    }
    if (instance == null) {
      throw new IllegalArgumentException("@ShadowCandidate " + where
          + " is an instance member but there is no test instance yet: make it static, or use @TestInstance(PER_CLASS)");
    }
    return instance;
  }

  private static URI uri(String what, String value) {
    String v = Placeholders.resolve(what, value).strip();
    if (v.isEmpty()) {
      return null;
    }
    try {
      URI u = new URI(v);
      if (u.getScheme() == null || u.getHost() == null) {
        throw new URISyntaxException(v, "expected an http(s) URL like http://127.0.0.1:8080");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(what + " \"" + v + "\" is not a URL: " + e.getReason());
    }
  }

  private static Gate gate(ShadowReplay a) {
    return new Gate(a.maxDiscrepancyRate(), a.maxErrorRate() < 0 ? null : a.maxErrorRate(),
        a.maxLatencyRatio() < 0 ? null : a.maxLatencyRatio());
  }

  private static Duration seconds(double s) {
    if (!(s > 0)) {
      throw new IllegalArgumentException("timeoutSeconds must be positive, got " + s);
    }
    return Duration.ofMillis((long) (s * 1000));
  }

  private static Headers headers(String[] pairs) {
    List<String> out = new ArrayList<>();
    for (String raw : pairs) {
      String h = Placeholders.resolve("headers", raw);
      int eq = h.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("headers must look like NAME=VALUE, got \"" + raw + "\"");
      }
      out.add(h.substring(0, eq).strip());
      out.add(h.substring(eq + 1));
    }
    return Headers.of(out.toArray(String[]::new));
  }

  /** A file, else a classpath resource (copied to a temporary file when it is inside a jar). */
  static Path locate(String what, String name, List<Path> temporary) {
    Path p = Path.of(name);
    if (Files.isRegularFile(p)) {
      return p;
    }
    ClassLoader loader = Optional.ofNullable(Thread.currentThread().getContextClassLoader())
        .orElse(ShadowExtension.class.getClassLoader());
    String resource = name.startsWith("/") ? name.substring(1) : name;
    URL url = loader.getResource(resource);
    if (url == null) {
      throw new IllegalArgumentException(what + " \"" + name + "\" not found: neither a file (" + p.toAbsolutePath()
          + ") nor a resource on the test classpath");
    }
    try {
      if ("file".equals(url.getProtocol())) {
        return Path.of(url.toURI());
      }
      String suffix = resource.endsWith(".gz") ? ".jsonl.gz" : resource.endsWith(".yaml") || resource.endsWith(".yml")
          ? ".yaml" : ".jsonl";
      Path tmp = Files.createTempFile("shadow-", suffix);
      temporary.add(tmp);
      try (InputStream in = url.openStream()) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      return tmp;
    } catch (IOException | URISyntaxException e) {
      throw new IllegalArgumentException(what + " \"" + name + "\" could not be read from " + url + ": " + e.getMessage(), e);
    }
  }

  /** Removes the outputs of an earlier run of this class, so the report never mixes runs. */
  private static void clean(Path out) {
    for (String f : List.of(Reports.RESULTS, Reports.SUMMARY, Reports.CSV, Reports.HTML, Reports.RULES,
        dev.shadowtest.diff.run.SamplesFile.NAME)) {
      try {
        Files.deleteIfExists(out.resolve(f));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot clean the run directory " + out + ": " + e.getMessage(), e);
      }
    }
  }

  static void deleteAll(List<Path> files) {
    for (Path f : files) {
      try {
        Files.deleteIfExists(f);
      } catch (IOException e) {
        // a temporary file left behind is harmless
      }
    }
  }
}
