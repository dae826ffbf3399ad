package dev.shadowtest.kafka;

import dev.shadowtest.core.BadInputException;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code kafka:} location: {@code kafka://host:9092,host2:9092/topic?group=G&...}. The query
 * takes {@code group} (replay: the consumer group, one per run), {@code from} and {@code until}
 * (replay: ISO-8601 instants bounding the run by record time), {@code key} (record: what keys a
 * record, {@code header:NAME} or {@code none}) and {@code properties} (a file of Kafka client
 * properties: TLS, SASL, timeouts).
 */
record KafkaLocation(
    String brokers,
    String topic,
    String group,
    Instant from,
    Instant until,
    String keyHeader,
    Path propertiesFile,
    Properties properties) {

  private static final Set<String> KEYS = Set.of("group", "from", "until", "key", "properties");

  /** Kafka's legal topic names. */
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  private static final Pattern BROKER = Pattern.compile("[A-Za-z0-9.\\[\\]:_-]+:[0-9]{1,5}");

  /** The location without its query: what messages name. */
  String shown() {
    return "kafka://" + brokers + "/" + topic;
  }

  static KafkaLocation parse(URI uri) {
    String raw = uri.toString();
    // kafka://b1:9092,b2:9092/topic, and kafka:/b1:9092/topic (a path collapses "//")
    String rest = uri.getRawSchemeSpecificPart();
    int q = rest.indexOf('?');
    String query = q < 0 ? null : rest.substring(q + 1);
    String where = q < 0 ? rest : rest.substring(0, q);
    while (where.startsWith("/")) {
      where = where.substring(1);
    }
    int slash = where.indexOf('/');
    if (slash <= 0 || slash == where.length() - 1) {
      throw new BadInputException(
          "\""
              + raw
              + "\": expected kafka://BROKER:PORT[,BROKER:PORT...]/TOPIC[?group=NAME&properties=FILE...]");
    }
    String brokers = where.substring(0, slash);
    String topic = decode(where.substring(slash + 1), raw);
    for (String b : brokers.split(",", -1)) {
      if (!BROKER.matcher(b).matches()) {
        throw new BadInputException(
            "\"" + raw + "\": broker \"" + b + "\" is not HOST:PORT (kafka://host:9092/topic)");
      }
    }
    if (!TOPIC.matcher(topic).matches()) {
      throw new BadInputException(
          "\""
              + raw
              + "\": \""
              + topic
              + "\" is not a Kafka topic name (letters, digits, '.', '_', '-'; at most 249)");
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String k = eq < 0 ? pair : pair.substring(0, eq);
        String v = eq < 0 ? "" : decode(pair.substring(eq + 1), raw);
        if (!KEYS.contains(k)) {
          throw new BadInputException(
              "\""
                  + raw
                  + "\": unknown parameter \""
                  + k
                  + "\" (known: "
                  + String.join(", ", KEYS.stream().sorted().toList())
                  + ")");
        }
        if (v.isEmpty()) {
          throw new BadInputException("\"" + raw + "\": " + k + " needs a value");
        }
        if (params.put(k, v) != null) {
          throw new BadInputException("\"" + raw + "\": " + k + " is given twice");
        }
      }
    }
    String key = params.get("key");
    String keyHeader = null;
    if (key != null && !key.equals("none")) {
      if (!key.regionMatches(true, 0, "header:", 0, 7) || key.length() == 7) {
        throw new BadInputException("\"" + raw + "\": key=" + key + " is not header:NAME or none");
      }
      keyHeader = key.substring(7);
    }
    Path file = params.containsKey("properties") ? Path.of(params.get("properties")) : null;
    Properties properties = file == null ? new Properties() : load(file);
    String given = properties.getProperty("bootstrap.servers");
    if (given != null && !brokerSet(given).equals(brokerSet(brokers))) {
      // the file's would win over the URL's, silently: another cluster than the one named
      throw new BadInputException(
          file
              + ": bootstrap.servers="
              + given.strip()
              + " is not the brokers of the URL ("
              + brokers
              + "): name the brokers once, in the URL");
    }
    return new KafkaLocation(
        brokers,
        topic,
        params.get("group"),
        instant(params.get("from"), "from", raw),
        instant(params.get("until"), "until", raw),
        keyHeader,
        file,
        properties);
  }

  private static String decode(String s, String raw) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("\"" + raw + "\": bad percent-encoding in \"" + s + "\"");
    }
  }

  private static Instant instant(String s, String name, String raw) {
    if (s == null) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new BadInputException(
          "\""
              + raw
              + "\": "
              + name
              + "="
              + s
              + " is not an ISO-8601 instant (2026-11-26T00:00:00Z)");
    }
  }

  /** Brokers as a set of {@code host:port}, trimmed, in lower case: their order and spacing do not count. */
  private static Set<String> brokerSet(String list) {
    Set<String> out = new java.util.TreeSet<>();
    for (String b : list.split(",")) {
      if (!b.isBlank()) {
        out.add(b.strip().toLowerCase(java.util.Locale.ROOT));
      }
    }
    return out;
  }

  private static Properties load(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such Kafka client properties file");
    } catch (IOException | IllegalArgumentException e) {
      throw new BadInputException(
          file + ": cannot read the Kafka client properties: " + e.getMessage());
    }
    return p;
  }
}
