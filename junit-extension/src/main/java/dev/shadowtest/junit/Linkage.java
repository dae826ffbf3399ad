package dev.shadowtest.junit;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.security.CodeSource;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a {@link LinkageError} (a method or class missing because the build resolved another
 * version of a library than the extension needs) into one line: which library, which version is
 * needed, which was found, and which property to set. Only the libraries the extension shares
 * with the build can mismatch (JUnit, Allure, Spring, SLF4J): HttpClient, Jackson and the others
 * are inside its jar, relocated.
 */
final class Linkage {

  /** A library the extension links against: package prefix, name, versions key, the property that pins it. */
  private record Library(String prefix, String name, String key, String property, String probe) {}

  private static final List<Library> LIBRARIES =
      List.of(
          new Library(
              "org.junit.",
              "JUnit Jupiter",
              "junit",
              "junit-jupiter.version (Spring Boot) or the junit-bom version",
              "org.junit.jupiter.api.Test"),
          new Library(
              "org.opentest4j.",
              "opentest4j (JUnit)",
              "junit",
              "junit-jupiter.version (Spring Boot) or the junit-bom version",
              "org.opentest4j.AssertionFailedError"),
          new Library(
              "io.qameta.allure.",
              "Allure",
              "allure",
              "the allure-bom / allure-jupiter version",
              "io.qameta.allure.Allure"),
          new Library(
              "org.springframework.",
              "Spring Framework",
              "spring",
              "spring-framework.version",
              "org.springframework.core.SpringVersion"),
          new Library("org.slf4j.", "SLF4J", "slf4j", "slf4j.version", "org.slf4j.Logger"));

  private static final Pattern CLASS_NAME =
      Pattern.compile("([a-z][a-z0-9_]*(?:[./][a-zA-Z0-9_$]+)+)");

  private Linkage() {}

  /** One line explaining {@code e}. */
  static String explain(LinkageError e) {
    String message = String.valueOf(e.getMessage());
    Library library = library(message);
    String what = e.getClass().getSimpleName() + ": " + message;
    if (library == null) {
      return "a library on the test classpath is not the version this extension needs ("
          + what
          + "); check"
          + " `mvn dependency:tree` for versions your build overrides";
    }
    String needed = needed(library.key());
    String found = found(library.probe());
    if (needed != null && needed.equals(found)) {
      return "a class or method of "
          + library.name()
          + " is missing although the test classpath has "
          + found
          + ", the version the extension was built with ("
          + what
          + "): look for a second, older copy of it on the"
          + " test classpath (`mvn dependency:tree`, or a shaded jar that bundles it)";
    }
    return "needs "
        + library.name()
        + " "
        + (needed == null ? "" : needed + " (or compatible) ")
        + "but the test"
        + " classpath has "
        + (found == null ? "another version" : found)
        + " ("
        + what
        + "): set the property "
        + library.property()
        + " to "
        + (needed == null ? "the version the extension needs" : needed)
        + " in your build, or let the version your framework manages alone if you pinned it";
  }

  private static Library library(String message) {
    Matcher m = CLASS_NAME.matcher(message);
    while (m.find()) {
      String name = m.group(1).replace('/', '.');
      if (name.startsWith("dev.shadowtest.shaded.")) {
        continue; // the extension's own relocated copies never mismatch
      }
      for (Library l : LIBRARIES) {
        if (name.startsWith(l.prefix())) {
          return l;
        }
      }
    }
    return null;
  }

  /** The version the extension was built with, from versions.properties. */
  static String needed(String key) {
    try (InputStream in = Linkage.class.getResourceAsStream("versions.properties")) {
      if (in == null) {
        return null;
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty(key);
      return v == null || v.startsWith("${") ? null : v;
    } catch (IOException e) {
      return null;
    }
  }

  /** The version on the classpath: the jar's manifest, else its file name. */
  static String found(String probe) {
    try {
      Class<?> c = Class.forName(probe, false, Linkage.class.getClassLoader());
      Package p = c.getPackage();
      if (p != null && p.getImplementationVersion() != null) {
        return p.getImplementationVersion();
      }
      CodeSource source = c.getProtectionDomain().getCodeSource();
      URL location = source == null ? null : source.getLocation();
      if (location != null) {
        String path = location.getPath();
        Matcher m = Pattern.compile("-(\\d[^/]*?)\\.jar$").matcher(path);
        if (m.find()) {
          return m.group(1);
        }
        return path.substring(path.lastIndexOf('/', path.length() - 2) + 1);
      }
      return null;
    } catch (ClassNotFoundException | LinkageError | SecurityException e) {
      return "none";
    }
  }
}
