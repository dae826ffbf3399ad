package dev.shadowtest.junit;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.RunDirectory;
import dev.shadowtest.diff.run.RunOutput;
import dev.shadowtest.replay.ReplayConfig;
import dev.shadowtest.replay.ReplayResult;
import dev.shadowtest.replay.Replayer;
import dev.shadowtest.replay.Transport;
import dev.shadowtest.reports.Reports;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
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
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
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
final class ShadowExtension implements ParameterResolver, AfterEachCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ShadowExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == ShadowRun.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext classContext = annotatedClassContext(context);
    Class<?> testClass = classContext.getRequiredTestClass();
    ShadowReplay config =
        AnnotationSupport.findAnnotation(testClass, ShadowReplay.class).orElseThrow();
    try {
      return classContext
          .getStore(NAMESPACE)
          .getOrComputeIfAbsent(
              testClass, k -> replay(config, testClass, context), ShadowRun.class);
    } catch (LinkageError e) {
      throw new ExtensionConfigurationException(
          "@ShadowReplay on " + testClass.getName() + ": " + Linkage.explain(e), e);
    }
  }

  /**
   * After a {@code @TestFactory} of a class whose replay ran: the report goes to the factory's
   * container for Allure (when Allure is present), since no test runs while a factory does.
   */
  @Override
  public void afterEach(ExtensionContext context) {
    if (!Attachments.allure()
        || context
            .getTestMethod()
            .filter(m -> AnnotationSupport.isAnnotated(m, TestFactory.class))
            .isEmpty()) {
      return;
    }
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      if (c.getTestMethod().isEmpty()
          && c.getTestClass().isPresent()
          && AnnotationSupport.isAnnotated(c.getTestClass().get(), ShadowReplay.class)) {
        ShadowRun run;
        try {
          run = c.getStore(NAMESPACE).get(c.getTestClass().get(), ShadowRun.class);
        } catch (RuntimeException | LinkageError e) {
          return; // the replay itself failed: that failure is reported already
        }
        if (run != null) {
          Attachments.container(context, run.report(), run.summary());
        }
        return;
      }
    }
  }

  /**
   * The context of the class that carries {@code @ShadowReplay}: the test class itself, or for a
   * {@code @Nested} class the enclosing one, so that nested tests share its single replay.
   */
  private static ExtensionContext annotatedClassContext(ExtensionContext context) {
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      if (c.getTestMethod().isEmpty()
          && c.getTestClass().isPresent()
          && AnnotationSupport.isAnnotated(c.getTestClass().get(), ShadowReplay.class)) {
        return c;
      }
    }
    throw new ParameterResolutionException(
        context.getRequiredTestClass().getName()
            + " asks for a ShadowRun but neither it nor an enclosing class has @ShadowReplay");
  }

  /** Placeholders: from the test's Spring Environment in a Spring test, else system properties and environment variables. */
  interface Resolver {
    String resolve(String attribute, String value);
  }

  private static ShadowRun replay(ShadowReplay a, Class<?> testClass, ExtensionContext context) {
    List<Path> temporary = new ArrayList<>();
    try {
      SpringContext spring = Spring.manages(testClass) ? SpringContext.of(context) : null;
      Resolver resolver = spring != null ? spring::resolve : Placeholders::resolve;
      Path recording = locate("recording", resolver.resolve("recording", a.recording()), temporary);
      Candidate candidate = candidate(a, testClass, context, resolver, spring);
      String rulesFile = resolver.resolve("rules", a.rules()).strip();
      Rules rules =
          rulesFile.isEmpty()
              ? Rules.defaults()
              : Rules.load(locate("rules", rulesFile, temporary));
      Gate gate = gate(a);
      String dir = resolver.resolve("outputDirectory", a.outputDirectory()).strip();
      Path out =
          (dir.isEmpty() ? defaultOutputDirectory() : Path.of(dir)).resolve(testClass.getName());
      clean(out);
      int warmup =
          a.warmup() >= 0
              ? a.warmup()
              : gate.maxLatencyRatio() != null ? ShadowReplay.DEFAULT_WARMUP : 0;
      URI primary =
          member(ShadowPrimary.class, "primary", a.primary(), testClass, context, resolver);
      URI secondary =
          member(ShadowSecondary.class, "secondary", a.secondary(), testClass, context, resolver);
      ReplayConfig config =
          ReplayConfig.of(List.of(recording), candidate.uri(), out)
              .withTransport(candidate.transport())
              .withPrimary(primary, secondary)
              .withRules(rules)
              .withConcurrency(a.concurrency())
              .withAllowUnsafe(a.allowUnsafe())
              .withExtraHeaders(headers(a.headers(), resolver))
              .withKeepHost(a.keepHost())
              .withSkipBadLines(a.skipBadLines())
              .withTimeouts(Duration.ofSeconds(5), seconds(a.timeoutSeconds()))
              .withGate(gate)
              .withWarmup(warmup);
      // the CSV, the report and the failure messages' examples are outputs of the run: each file
      // is written once, by the replay
      Reports.Examples examples = Reports.examples();
      List<RunOutput> outputs = new ArrayList<>(Reports.outputs(Reports.Options.defaults()));
      outputs.add(examples);
      Replayer replayer = new Replayer(config.withOutputs(outputs));
      ReplayResult result = replayer.run(ShadowListener.NONE);
      Reports.Written written =
          new Reports.Written(
              out.resolve(Reports.SUMMARY),
              out.resolve(Reports.CSV),
              out.resolve(Reports.HTML),
              null,
              result.result(),
              result.gateFailures(),
              result.warnings(),
              examples.examples(),
              null);
      context.publishReportEntry("shadow.report", written.html().toAbsolutePath().toString());
      ShadowRun run =
          new ShadowRun(
              testClass.getName(),
              recording,
              config.candidateDescription(),
              rules,
              gate,
              replayer.warmedUp(),
              candidate.transport() != null,
              result,
              written,
              temporary);
      System.out.println(run.summaryLine());
      return run;
    } catch (IllegalArgumentException | IllegalStateException | BadInputException e) {
      deleteAll(temporary);
      throw new ExtensionConfigurationException(
          "@ShadowReplay on " + testClass.getName() + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      deleteAll(temporary);
      throw e;
    }
  }

  /** Where run directories go by default: Gradle's build directory under Gradle, else Maven's target. */
  static Path defaultOutputDirectory() {
    boolean gradle =
        System.getProperty("org.gradle.test.worker") != null
            || !Files.exists(Path.of("pom.xml"))
                && (Files.exists(Path.of("build.gradle"))
                    || Files.exists(Path.of("build.gradle.kts")));
    return Path.of(gradle ? "build" : "target", "shadow");
  }

  /** The candidate: a base URL, or an in-process transport and the URL the application believes it serves. */
  record Candidate(URI uri, Transport transport) {
    static final URI IN_PROCESS = URI.create("http://localhost");
  }

  private static Candidate candidate(
      ShadowReplay a,
      Class<?> testClass,
      ExtensionContext context,
      Resolver resolver,
      SpringContext spring) {
    List<AnnotatedElement> members = members(testClass, ShadowCandidate.class);
    // resolved first: "${shadow.candidate.url:}" falls back to @ShadowCandidate when the property
    // is unset
    String given = resolver.resolve("candidate", a.candidate()).strip();
    if (!given.isEmpty()) {
      if (!members.isEmpty()) {
        throw new BadInputException(
            "candidate is given twice: in @ShadowReplay(candidate = \""
                + a.candidate()
                + "\") and by @ShadowCandidate; keep one (or let the annotation's placeholder resolve to empty)");
      }
      return new Candidate(uri("candidate", given), null);
    }
    if (members.size() > 1) {
      throw new BadInputException(
          "more than one @ShadowCandidate (" + members.size() + "); keep one");
    }
    if (members.size() == 1) {
      AnnotatedElement m = members.get(0);
      Object value = read(ShadowCandidate.class, m, testClass, context);
      Transport transport = SpringTransports.of(value, seconds(a.timeoutSeconds()));
      if (transport != null) {
        return new Candidate(Candidate.IN_PROCESS, transport);
      }
      return new Candidate(toUri(ShadowCandidate.class, m, value, true), null);
    }
    if (spring != null) {
      URI server = spring.server();
      if (server != null) {
        return new Candidate(server, null);
      }
      Transport inProcess = spring.inProcess(seconds(a.timeoutSeconds()));
      if (inProcess != null) {
        return new Candidate(Candidate.IN_PROCESS, inProcess);
      }
      throw new BadInputException(
          "no candidate: the Spring test context has no embedded server (local.server.port)"
              + " and no MockMvc or WebTestClient; use @SpringBootTest(webEnvironment = RANDOM_PORT),"
              + " @AutoConfigureMockMvc (servlet) or @AutoConfigureWebTestClient (WebFlux), or set"
              + " @ShadowReplay(candidate = \"http://...\")");
    }
    throw new BadInputException(
        "no candidate: set @ShadowReplay(candidate = \"http://...\")"
            + (a.candidate().isEmpty() ? "" : " (\"" + a.candidate() + "\" resolved to nothing)")
            + " or annotate a field or method with @ShadowCandidate");
  }

  /** The primary or secondary: the annotation's attribute, else a member marked with {@code marker}. */
  private static URI member(
      Class<? extends Annotation> marker,
      String attribute,
      String value,
      Class<?> testClass,
      ExtensionContext context,
      Resolver resolver) {
    List<AnnotatedElement> members = members(testClass, marker);
    String given = resolver.resolve(attribute, value).strip();
    if (!given.isEmpty()) {
      if (!members.isEmpty()) {
        throw new BadInputException(
            attribute
                + " is given twice: in @ShadowReplay("
                + attribute
                + " = \""
                + value
                + "\") and by @"
                + marker.getSimpleName()
                + "; keep one");
      }
      return uri(attribute, given);
    }
    if (members.size() > 1) {
      throw new BadInputException(
          "more than one @" + marker.getSimpleName() + " (" + members.size() + "); keep one");
    }
    return members.isEmpty()
        ? null
        : toUri(marker, members.get(0), read(marker, members.get(0), testClass, context), false);
  }

  private static List<AnnotatedElement> members(
      Class<?> testClass, Class<? extends Annotation> marker) {
    List<AnnotatedElement> out =
        new ArrayList<>(
            AnnotationSupport.findAnnotatedFields(
                testClass, marker, f -> true, HierarchyTraversalMode.BOTTOM_UP));
    out.addAll(
        AnnotationSupport.findAnnotatedMethods(
            testClass, marker, HierarchyTraversalMode.BOTTOM_UP));
    return out;
  }

  private static String describe(Class<? extends Annotation> marker, AnnotatedElement m) {
    return "@"
        + marker.getSimpleName()
        + " "
        + (m instanceof Field f
            ? "field " + f.getName()
            : "method " + ((Method) m).getName() + "()");
  }

  /** The member's value, read from the current test instance (or statically). */
  private static Object read(
      Class<? extends Annotation> marker,
      AnnotatedElement m,
      Class<?> testClass,
      ExtensionContext context) {
    Object instance =
        context.getTestInstances().flatMap(i -> i.findInstance(testClass)).orElse(null);
    String where = describe(marker, m);
    Object value;
    try {
      if (m instanceof Field f) {
        f.setAccessible(true);
        value = f.get(target(f.getModifiers(), instance, where));
      } else {
        Method method = (Method) m;
        if (method.getParameterCount() != 0) {
          throw new BadInputException(where + " must take no arguments");
        }
        method.setAccessible(true);
        value = method.invoke(target(method.getModifiers(), instance, where));
      }
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new BadInputException(where + " could not be read: " + cause, cause);
    }
    if (value == null) {
      throw new BadInputException(
          where + " is null: is it started in @BeforeAll (or injected by Spring)?");
    }
    return value;
  }

  /** A URL, URI, String or port as a base URL; {@code transports} says whether MockMvc-like values were possible. */
  private static URI toUri(
      Class<? extends Annotation> marker, AnnotatedElement m, Object value, boolean transports) {
    String where = describe(marker, m);
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      long port = ((Number) value).longValue();
      if (port < 1 || port > 65535) {
        throw new BadInputException(
            where
                + " is the port "
                + port
                + ": not a port a server listens on"
                + (port == 0
                    ? " (is the server started yet? Spring sets @LocalServerPort only under RANDOM_PORT or DEFINED_PORT)"
                    : ""));
      }
      return URI.create("http://127.0.0.1:" + port);
    }
    if (value instanceof URL || value instanceof URI || value instanceof CharSequence) {
      return uri(where, value.toString());
    }
    throw new BadInputException(
        where
            + " is a "
            + value.getClass().getName()
            + "; expected a base URL (String, URI,"
            + " URL) or a port (int)"
            + (transports ? ", or Spring's MockMvc or WebTestClient" : ""));
  }

  private static Object target(int modifiers, Object instance, String where) {
    if (Modifier.isStatic(modifiers)) {
      return null;
    }
    if (instance == null) {
      throw new BadInputException(
          where
              + " is an instance member but there is no test instance yet: make it static, or use @TestInstance(PER_CLASS)");
    }
    return instance;
  }

  private static URI uri(String what, String value) {
    String v = value.strip();
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
      throw new BadInputException(what + " \"" + v + "\" is not a URL: " + e.getReason());
    }
  }

  private static Gate gate(ShadowReplay a) {
    return new Gate(
        a.maxDiscrepancyRate(),
        a.maxErrorRate() < 0 ? null : a.maxErrorRate(),
        a.maxLatencyRatio() < 0 ? null : a.maxLatencyRatio(),
        a.minLatencySamples());
  }

  private static Duration seconds(double s) {
    if (!(s > 0)) {
      throw new BadInputException("timeoutSeconds must be positive, got " + s);
    }
    return Duration.ofMillis((long) (s * 1000));
  }

  private static Headers headers(String[] pairs, Resolver resolver) {
    List<String> out = new ArrayList<>();
    for (String raw : pairs) {
      String h = resolver.resolve("headers", raw);
      int eq = h.indexOf('=');
      if (eq <= 0) {
        throw new BadInputException("headers must look like NAME=VALUE, got \"" + raw + "\"");
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
    ClassLoader loader =
        Optional.ofNullable(Thread.currentThread().getContextClassLoader())
            .orElse(ShadowExtension.class.getClassLoader());
    String resource = name.startsWith("/") ? name.substring(1) : name;
    URL url = loader.getResource(resource);
    if (url == null) {
      throw new BadInputException(
          what
              + " \""
              + name
              + "\" not found: neither a file ("
              + p.toAbsolutePath()
              + ") nor a resource on the test classpath");
    }
    try {
      if ("file".equals(url.getProtocol())) {
        return Path.of(url.toURI());
      }
      String suffix =
          resource.endsWith(".gz")
              ? ".jsonl.gz"
              : resource.endsWith(".yaml") || resource.endsWith(".yml") ? ".yaml" : ".jsonl";
      Path tmp = Files.createTempFile("shadow-", suffix);
      temporary.add(tmp);
      try (InputStream in = url.openStream()) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      return tmp;
    } catch (IOException | URISyntaxException e) {
      throw new BadInputException(
          what + " \"" + name + "\" could not be read from " + url + ": " + e.getMessage(), e);
    }
  }

  /** Removes the outputs of an earlier run of this class, so the report never mixes runs. */
  private static void clean(Path out) {
    for (String f : RunDirectory.FILES) {
      try {
        Files.deleteIfExists(out.resolve(f));
      } catch (IOException e) {
        throw new BadInputException(
            "cannot clean the run directory " + out + ": " + e.getMessage(), e);
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
