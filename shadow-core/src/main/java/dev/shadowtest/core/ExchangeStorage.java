package dev.shadowtest.core;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A kind of place exchanges are kept, named by a URI scheme: {@code file:} (recording files, the
 * built-in one) and whatever implementations the class path declares in {@code
 * META-INF/services/dev.shadowtest.core.ExchangeStorage} (e.g. {@code kafka:}). The recorder
 * writes to {@link #sink}, replay reads from {@link #source}; neither knows which storage it is.
 * Two implementations of one scheme are refused, naming both.
 *
 * <pre>{@code
 * public final class MemoryStorage implements ExchangeStorage {
 *   public String scheme() { return "mem"; }
 *   public ExchangeSink openSink(URI target, RecordingHeader header) { ... }
 *   public ExchangeSource openSource(URI source, Consumer<String> warnings) { ... }
 * }
 * }</pre>
 */
public interface ExchangeStorage {

  /** The URI scheme it serves, lower case ({@code file}, {@code kafka}). */
  String scheme();

  /** Opens {@code target} for writing; its exchanges follow {@code header}. */
  ExchangeSink openSink(URI target, RecordingHeader header);

  /** Opens {@code source} for reading; problems worth telling go to {@code warnings}. */
  ExchangeSource openSource(URI source, Consumer<String> warnings);

  /** A scheme as a location may start with (RFC 3986): a letter, then letters, digits, + - . */
  Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):.*", Pattern.DOTALL);

  /**
   * The storage for {@code location}: a URI whose scheme names one ({@code kafka:shadow-nightly},
   * {@code file:/var/rec.jsonl.gz}), or a plain path, which is a file. A path whose name holds a
   * colon is written {@code ./name:x} or {@code file:name:x}.
   *
   * @throws BadInputException naming the known schemes when none serves it
   */
  static ExchangeStorage of(String location) {
    var m = SCHEME.matcher(location);
    String scheme = m.matches() && m.group(1).length() > 1 ? m.group(1) : "file";
    return byScheme(scheme.toLowerCase(Locale.ROOT), location);
  }

  /**
   * As {@link #of}, except that an existing file whose name starts like an unknown scheme
   * ({@code rec:1.jsonl}) is that file: what is read may be named as it is on disk.
   */
  private static ExchangeStorage forReading(String location) {
    var m = SCHEME.matcher(location);
    if (m.matches() && m.group(1).length() > 1) {
      ExchangeStorage s = all().get(m.group(1).toLowerCase(Locale.ROOT));
      if (s != null) {
        return s;
      }
      if (Files.isRegularFile(Path.of(location))) {
        return new FileStorage();
      }
    }
    return of(location);
  }

  /** The URI of {@code location}: a plain path becomes a {@code file:} URI. */
  static URI uri(String location) {
    var m = SCHEME.matcher(location);
    if (m.matches() && m.group(1).length() > 1) {
      try {
        return URI.create(location);
      } catch (IllegalArgumentException e) {
        throw new BadInputException("\"" + location + "\" is not a valid URI: " + e.getMessage());
      }
    }
    return Path.of(location).toAbsolutePath().normalize().toUri();
  }

  /** The file {@code location} names, or null when it is not a file (another scheme). */
  static Path file(String location) {
    var m = SCHEME.matcher(location);
    if (!m.matches() || m.group(1).length() == 1) {
      return Path.of(location);
    }
    return m.group(1).equalsIgnoreCase("file") ? Path.of(uri(location)) : null;
  }

  /** {@code file} as a location: its path, made unambiguous when its name starts like a scheme. */
  static String location(Path file) {
    String s = file.toString();
    return SCHEME.matcher(s).matches() ? "./" + s : s;
  }

  /** Opens {@code location} for writing (see {@link #of}). */
  static ExchangeSink sink(String location, RecordingHeader header) {
    return of(location).openSink(uri(location), header);
  }

  /** Opens {@code location} for reading (see {@link #of}). */
  static ExchangeSource source(String location, Consumer<String> warnings) {
    ExchangeStorage s = forReading(location);
    return s instanceof FileStorage
        ? RecordingReader.open(
            file(location) == null ? Path.of(location) : file(location), warnings)
        : s.openSource(uri(location), warnings);
  }

  /** Every storage on the class path by scheme; duplicates refused. */
  static Map<String, ExchangeStorage> all() {
    Map<String, ExchangeStorage> out = new TreeMap<>();
    List<ExchangeStorage> found = new ArrayList<>();
    found.add(new FileStorage());
    ServiceLoader.load(ExchangeStorage.class, ExchangeStorage.class.getClassLoader())
        .forEach(found::add);
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null && context != ExchangeStorage.class.getClassLoader()) {
      ServiceLoader.load(ExchangeStorage.class, context).forEach(found::add);
    }
    for (ExchangeStorage s : found) {
      String scheme = s.scheme().toLowerCase(Locale.ROOT);
      ExchangeStorage before = out.putIfAbsent(scheme, s);
      if (before != null && before.getClass() != s.getClass()) {
        throw new BadInputException(
            "two exchange storages serve the scheme \""
                + scheme
                + "\": "
                + before.getClass().getName()
                + " and "
                + s.getClass().getName()
                + " (remove one from the class path)");
      }
    }
    return out;
  }

  private static ExchangeStorage byScheme(String scheme, String location) {
    Map<String, ExchangeStorage> all = all();
    ExchangeStorage s = all.get(scheme);
    if (s == null) {
      throw new BadInputException(
          "no exchange storage serves \""
              + scheme
              + ":\" ("
              + location
              + "); known: "
              + String.join(", ", all.keySet().stream().map(k -> k + ":").toList())
              + ". A file whose name holds a colon is written ./"
              + location);
    }
    return s;
  }
}
