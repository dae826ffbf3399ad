package dev.shadowtest.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.shadowtest.architecture.fixture.ReachesIntoCoreInternals;
import dev.shadowtest.core.archfixture.CoreUsingJUnit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/architecture.md, enforced on every module's compiled classes: the module
 * graph table there is the one source of the allowed dependencies (a dependency it does not list
 * fails the build), no module uses another module's {@code .internal} packages, the model is
 * Jackson-only and only junit-extension uses JUnit. Each rule is also shown to catch a class that
 * breaks it on purpose (the fixtures in this module's tests).
 */
class ArchitectureTests {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path GRAPH_DOC = ROOT.resolve("docs/architecture.md");

  /** A row of the module graph: a module, its root package, and the modules it may use. */
  record Module(String name, String pkg, Set<String> uses, boolean any) {}

  static Map<String, Module> graph;
  static JavaClasses shadow;

  @BeforeAll
  static void load() throws IOException {
    graph = moduleGraph(Files.readString(GRAPH_DOC));
    List<Path> dirs = new ArrayList<>();
    for (Module m : graph.values()) {
      Path classes = ROOT.resolve(m.name()).resolve("target/classes");
      if (!Files.isDirectory(classes)) {
        throw new IllegalStateException(
            classes + " is missing: build the whole reactor (mvn verify) before these tests");
      }
      dirs.add(classes);
    }
    shadow = new ClassFileImporter().importPaths(dirs);
  }

  /**
   * Rows of the table under "## Module graph": {@code | `module` | `dev.shadowtest.x` | `a`, `b` | ...}.
   * "—" uses no module, "any" any.
   */
  static Map<String, Module> moduleGraph(String markdown) {
    int start = markdown.indexOf("## Module graph");
    assertThat(start).as("docs/architecture.md has a \"## Module graph\" section").isNotNegative();
    Map<String, Module> out = new LinkedHashMap<>();
    Pattern row =
        Pattern.compile(
            "^\\|\\s*`([a-z-]+)`\\s*\\|\\s*`(dev\\.shadowtest\\.[a-z]+)`\\s*\\|([^|]*)\\|",
            Pattern.MULTILINE);
    Matcher m = row.matcher(markdown.substring(start));
    while (m.find()) {
      Set<String> uses = new LinkedHashSet<>();
      Matcher used = Pattern.compile("`([a-z-]+)`").matcher(m.group(3));
      while (used.find()) {
        uses.add(used.group(1));
      }
      out.put(
          m.group(1), new Module(m.group(1), m.group(2), uses, m.group(3).strip().equals("any")));
    }
    assertThat(out).as("module graph rows").hasSizeGreaterThan(5);
    return out;
  }

  static List<ArchRule> internalRules() {
    List<ArchRule> rules = new ArrayList<>();
    for (Module m : graph.values()) {
      // Shadow's own classes; a module's generated code (reports' precompiled jte templates) is its
      // own. The JMH harness (benchmarks, never shipped or depended on) may measure a module's
      // internal hot paths, such as the recorder's two ways of writing a line.
      rules.add(
          noClasses()
              .that()
              .resideInAPackage("dev.shadowtest..")
              .and()
              .resideOutsideOfPackage(m.pkg() + "..")
              .and()
              .resideOutsideOfPackage("dev.shadowtest.benchmarks..")
              .should()
              .dependOnClassesThat()
              .resideInAPackage(m.pkg() + ".internal..")
              .because(
                  m.pkg()
                      + ".internal is "
                      + m.name()
                      + "'s own; other modules use its public API"));
    }
    return rules;
  }

  static List<ArchRule> graphRules() {
    List<ArchRule> rules = new ArrayList<>();
    for (Module m : graph.values()) {
      if (m.any()) {
        continue;
      }
      List<String> forbidden = new ArrayList<>();
      for (Module other : graph.values()) {
        if (!other.name().equals(m.name()) && !m.uses().contains(other.name())) {
          forbidden.add(other.pkg() + "..");
        }
      }
      if (!forbidden.isEmpty()) {
        rules.add(
            noClasses()
                .that()
                .resideInAPackage(m.pkg() + "..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(forbidden.toArray(String[]::new))
                .because(
                    "docs/architecture.md lets "
                        + m.name()
                        + " use "
                        + (m.uses().isEmpty() ? "no other module" : m.uses())));
      }
    }
    return rules;
  }

  /** The model is Jackson-only; only junit-extension uses JUnit. */
  static List<ArchRule> libraryRules() {
    return List.of(
        classes()
            .that()
            .resideInAPackage("dev.shadowtest.core..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                "dev.shadowtest.core..", "java..", "javax..", "com.fasterxml.jackson..")
            .because("shadow-core depends on nothing but Jackson (docs/architecture.md)"),
        noClasses()
            .that()
            .resideOutsideOfPackage("dev.shadowtest.junit..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.junit..")
            .because("only junit-extension depends on JUnit (docs/architecture.md)"));
  }

  @Test
  void everyModuleOfTheBuildIsInTheGraph() throws IOException {
    Set<String> built = new LinkedHashSet<>();
    Matcher m =
        Pattern.compile("<module>([a-z-]+)</module>")
            .matcher(Files.readString(ROOT.resolve("pom.xml")));
    while (m.find()) {
      if (!m.group(1).equals("architecture-tests")) {
        built.add(m.group(1));
      }
    }
    assertThat(graph.keySet()).containsExactlyInAnyOrderElementsOf(built);
  }

  @Test
  void noModuleUsesAnotherModulesInternalPackages() {
    internalRules().forEach(r -> r.check(shadow));
  }

  @Test
  void everyDependencyBetweenModulesIsInTheGraph() {
    graphRules().forEach(r -> r.check(shadow));
  }

  @Test
  void theModelIsJacksonOnlyAndOnlyTheExtensionUsesJUnit() {
    libraryRules().forEach(r -> r.check(shadow));
  }

  @Test
  void aDeliberateCrossModuleInternalImportIsCaught() {
    JavaClasses fixture = new ClassFileImporter().importClasses(ReachesIntoCoreInternals.class);
    List<String> violations = new ArrayList<>();
    for (ArchRule r : internalRules()) {
      EvaluationResult result = r.evaluate(fixture);
      violations.addAll(result.getFailureReport().getDetails());
    }
    assertThat(violations)
        .singleElement()
        .asString()
        .contains(ReachesIntoCoreInternals.class.getName())
        .contains("dev.shadowtest.core.internal.Instants");
  }

  @Test
  void aDeliberateForbiddenLibraryInTheModelIsCaught() {
    JavaClasses fixture = new ClassFileImporter().importClasses(CoreUsingJUnit.class);
    List<String> violations = new ArrayList<>();
    for (ArchRule r : libraryRules()) {
      violations.addAll(r.evaluate(fixture).getFailureReport().getDetails());
    }
    assertThat(violations)
        .isNotEmpty()
        .allSatisfy(v -> assertThat(v).contains(CoreUsingJUnit.class.getName()))
        .anySatisfy(v -> assertThat(v).contains("org.junit.jupiter.api.Assertions"));
  }

  @Test
  void theGraphIsReadFromTheDocsAndAnUnlistedDependencyIsCaught() {
    // a graph where diff-engine may not use shadow-core: its real classes break it
    Map<String, Module> saved = graph;
    try {
      Map<String, Module> strict = new LinkedHashMap<>(graph);
      Module diff = strict.get("diff-engine");
      strict.put("diff-engine", new Module(diff.name(), diff.pkg(), Set.of(), false));
      graph = strict;
      List<String> violations = new ArrayList<>();
      for (ArchRule r : graphRules()) {
        violations.addAll(r.evaluate(shadow).getFailureReport().getDetails());
      }
      assertThat(violations)
          .isNotEmpty()
          .allSatisfy(v -> assertThat(v).contains("dev.shadowtest.diff"));
    } finally {
      graph = saved;
    }
  }
}
