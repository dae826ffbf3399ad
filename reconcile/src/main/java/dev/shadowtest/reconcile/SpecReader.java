package dev.shadowtest.reconcile;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.shadowtest.reconcile.ReconcileSpec.Aggregate;
import dev.shadowtest.reconcile.ReconcileSpec.Column;
import dev.shadowtest.reconcile.ReconcileSpec.Database;
import dev.shadowtest.reconcile.ReconcileSpec.Dataset;
import dev.shadowtest.reconcile.ReconcileSpec.Side;
import dev.shadowtest.reconcile.ReconcileSpec.Thresholds;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads a spec file into a tree that keeps every key's line, then checks it key by key. */
final class SpecReader {

  private static final YAMLFactory YAML = new YAMLFactory();

  /** A table or column name used in SQL Shadow builds: plain identifiers only. */
  static final Pattern IDENTIFIER =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)*");

  private static final Map<String, ChronoUnit> PRECISIONS =
      Map.of(
          "days", ChronoUnit.DAYS,
          "hours", ChronoUnit.HOURS,
          "minutes", ChronoUnit.MINUTES,
          "seconds", ChronoUnit.SECONDS,
          "millis", ChronoUnit.MILLIS,
          "micros", ChronoUnit.MICROS);

  /** A value read from YAML and the line of its key (or list item). */
  record Node(int line, Object value) {}

  private final String source;
  private final Path base;
  private final Map<String, String> env;

  private SpecReader(String source, Path base, Map<String, String> env) {
    this.source = source;
    this.base = base;
    this.env = env;
  }

  static ReconcileSpec read(Path file, Map<String, String> env) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new SpecException(
          file.toString(),
          0,
          null,
          Files.isDirectory(file) ? "is a directory, expected a file" : "cannot read: " + e);
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, file.toString(), dir, env);
  }

  /**
   * @param base the folder relative {@code csv:} folders are found in, or null for the working
   *     directory
   */
  static ReconcileSpec parse(String yaml, String source, Path base, Map<String, String> env) {
    SpecReader r = new SpecReader(source, base, env);
    Node root;
    try (JsonParser p = YAML.createParser(yaml)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new SpecException(source, 1, null, "is empty; expected at least \"version: 1\"");
      }
      root = r.tree(p, first, p.currentTokenLocation().getLineNr());
    } catch (StreamReadException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new SpecException(
          source,
          line,
          null,
          "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new SpecException(source, 0, null, "cannot read: " + e.getMessage());
    }
    return r.spec(root);
  }

  private Node tree(JsonParser p, JsonToken t, int line) throws IOException {
    switch (t) {
      case START_OBJECT -> {
        Map<String, Node> map = new LinkedHashMap<>();
        for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
          int keyLine = p.currentTokenLocation().getLineNr();
          Node v = tree(p, p.nextToken(), keyLine);
          if (map.putIfAbsent(key, v) != null) {
            throw new SpecException(source, keyLine, key, "given twice");
          }
        }
        return new Node(line, map);
      }
      case START_ARRAY -> {
        List<Node> list = new ArrayList<>();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
          list.add(tree(p, e, p.currentTokenLocation().getLineNr()));
        }
        return new Node(line, list);
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return new Node(line, p.getDecimalValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new Node(line, p.getBooleanValue());
      }
      case VALUE_NULL -> {
        return new Node(line, null);
      }
      default -> {
        return new Node(line, p.getText());
      }
    }
  }

  private SpecException error(Node at, String key, String message) {
    return new SpecException(source, at == null ? 0 : at.line(), key, message);
  }

  private ReconcileSpec spec(Node root) {
    Map<String, Node> top =
        map(root, null, "expected a mapping with version, legacy, candidate, datasets");
    allow(
        top,
        "",
        Set.of("version", "legacy", "candidate", "thresholds", "datasets", "aggregates"),
        "version, legacy, candidate, thresholds, datasets, aggregates");
    Node version = top.get("version");
    if (version == null) {
      throw new SpecException(source, 1, "version", "missing (add \"version: 1\")");
    }
    if (!(version.value() instanceof BigDecimal v) || v.compareTo(BigDecimal.ONE) != 0) {
      throw error(
          version,
          "version",
          "unsupported version " + version.value() + " (this Shadow reads version 1)");
    }
    Database legacy = database(required(top, root, "", "legacy"), "legacy");
    Database candidate = database(required(top, root, "", "candidate"), "candidate");
    Thresholds thresholds =
        top.containsKey("thresholds") ? thresholds(top.get("thresholds")) : Thresholds.DEFAULTS;
    List<Dataset> datasets = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Node ds = required(top, root, "", "datasets");
    for (Node n :
        list(
            ds,
            "datasets",
            "a list of datasets, each with name, legacy, candidate, key, columns")) {
      Dataset d = dataset(n, "datasets[" + datasets.size() + "]");
      if (!names.add(d.name())) {
        throw error(
            n, "datasets[" + datasets.size() + "].name", "\"" + d.name() + "\" named twice");
      }
      datasets.add(d);
    }
    List<Aggregate> aggregates = new ArrayList<>();
    if (top.containsKey("aggregates")) {
      names.clear();
      for (Node n :
          list(
              top.get("aggregates"),
              "aggregates",
              "a list of name, legacy, candidate, tolerance")) {
        Aggregate a = aggregate(n, "aggregates[" + aggregates.size() + "]");
        if (!names.add(a.name())) {
          throw error(
              n, "aggregates[" + aggregates.size() + "].name", "\"" + a.name() + "\" named twice");
        }
        aggregates.add(a);
      }
    }
    if (datasets.isEmpty() && aggregates.isEmpty()) {
      throw error(ds, "datasets", "empty, and no aggregates: nothing to reconcile");
    }
    return new ReconcileSpec(source, legacy, candidate, thresholds, datasets, aggregates);
  }

  private Database database(Node n, String where) {
    Map<String, Node> m =
        map(n, where, "expected a mapping with jdbc, user, passwordEnv (or csv, delimiter)");
    allow(
        m,
        where,
        Set.of("jdbc", "user", "passwordEnv", "csv", "delimiter"),
        "jdbc, user, passwordEnv, csv, delimiter");
    if (m.containsKey("jdbc") == m.containsKey("csv")) {
      throw error(
          n, where, "expected exactly one of jdbc (a database) and csv (a folder of exports)");
    }
    if (m.containsKey("csv")) {
      return csv(m, where);
    }
    if (m.containsKey("delimiter")) {
      throw error(m.get("delimiter"), where + ".delimiter", "applies to csv only");
    }
    String jdbc = text(required(m, n, where, "jdbc"), where + ".jdbc");
    if (!jdbc.startsWith("jdbc:")) {
      throw error(m.get("jdbc"), where + ".jdbc", "expected a JDBC URL (jdbc:...), got " + jdbc);
    }
    String user = m.containsKey("user") ? text(m.get("user"), where + ".user") : null;
    String password = null;
    if (m.containsKey("passwordEnv")) {
      Node pe = m.get("passwordEnv");
      String var = text(pe, where + ".passwordEnv");
      password = env.get(var);
      if (password == null) {
        throw error(pe, where + ".passwordEnv", "environment variable " + var + " is not set");
      }
    }
    return new Database(jdbc, user, password);
  }

  /** A folder of CSV exports, relative to the spec's folder. */
  private Database csv(Map<String, Node> m, String where) {
    for (String k : List.of("user", "passwordEnv")) {
      if (m.containsKey(k)) {
        throw error(m.get(k), where + "." + k, "applies to jdbc only");
      }
    }
    Node c = m.get("csv");
    Path dir = Path.of(text(c, where + ".csv"));
    if (!dir.isAbsolute() && base != null) {
      dir = base.resolve(dir);
    }
    if (!Files.isDirectory(dir)) {
      throw error(
          c,
          where + ".csv",
          (Files.exists(dir) ? "not a directory: " : "no such directory: ")
              + dir
              + " (expected a folder of NAME.csv files)");
    }
    char delimiter = ',';
    if (m.containsKey("delimiter")) {
      Node d = m.get("delimiter");
      String t = String.valueOf(d.value());
      if (t.equals("\\t") || t.equals("tab")) {
        t = "\t";
      }
      if (t.length() != 1 || t.charAt(0) == '"' || t.charAt(0) == '\n' || t.charAt(0) == '\r') {
        throw error(
            d, where + ".delimiter", "expected one character such as , ; | or tab, got " + t);
      }
      delimiter = t.charAt(0);
    }
    return new Database(null, null, null, dir, delimiter);
  }

  private Thresholds thresholds(Node n) {
    Map<String, Node> m = map(n, "thresholds", "expected a mapping with investigate, pause");
    allow(m, "thresholds", Set.of("investigate", "pause"), "investigate, pause");
    double investigate =
        m.containsKey("investigate")
            ? rate(m.get("investigate"), "thresholds.investigate")
            : Thresholds.DEFAULTS.investigate();
    double pause =
        m.containsKey("pause")
            ? rate(m.get("pause"), "thresholds.pause")
            : Thresholds.DEFAULTS.pause();
    if (pause < investigate) {
      throw error(
          n, "thresholds", "pause (" + pause + ") is below investigate (" + investigate + ")");
    }
    return new Thresholds(investigate, pause);
  }

  /** {@code 0.1%} or {@code 0.001}: a fraction between 0 and 1. */
  private double rate(Node n, String where) {
    if (!(n.value() instanceof BigDecimal) && !(n.value() instanceof String)) {
      throw error(n, where, "expected a rate such as 0.1% or 0.001, got " + n.value());
    }
    try {
      return ReconcileGate.parseRate(
          n.value() instanceof BigDecimal d ? d.toPlainString() : (String) n.value());
    } catch (IllegalArgumentException e) {
      throw error(n, where, e.getMessage());
    }
  }

  private Dataset dataset(Node n, String where) {
    Map<String, Node> m =
        map(n, where, "expected a mapping with name, legacy, candidate, key, columns");
    allow(
        m,
        where,
        Set.of("name", "legacy", "candidate", "key", "columns", "checksum", "sensitiveKey"),
        "name, legacy, candidate, key, columns, checksum, sensitiveKey");
    String name = text(required(m, n, where, "name"), where + ".name");
    Side legacy = side(required(m, n, where, "legacy"), where + ".legacy");
    Side candidate = side(required(m, n, where, "candidate"), where + ".candidate");
    Node keyNode = required(m, n, where, "key");
    List<String> key = new ArrayList<>();
    for (Node k : list(keyNode, where + ".key", "a list of key columns, e.g. [id]")) {
      key.add(identifier(k, where + ".key[" + key.size() + "]"));
    }
    if (key.isEmpty()) {
      throw error(keyNode, where + ".key", "empty; name at least one key column");
    }
    if (new HashSet<>(key).size() != key.size()) {
      throw error(keyNode, where + ".key", "a column named twice: " + key);
    }
    List<Column> columns = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String k : key) {
      seen.add(k.toLowerCase(Locale.ROOT));
    }
    Node cols = required(m, n, where, "columns");
    for (Node c : list(cols, where + ".columns", "a list of columns ([] to compare keys only)")) {
      String at = where + ".columns[" + columns.size() + "]";
      Column col = column(c, at);
      if (!seen.add(col.name().toLowerCase(Locale.ROOT))) {
        throw error(c, at, "column " + col.name() + " is a key or named twice");
      }
      columns.add(col);
    }
    boolean checksum = !m.containsKey("checksum") || flag(m, "checksum", where);
    return new Dataset(
        name, n.line(), legacy, candidate, key, columns, checksum, flag(m, "sensitiveKey", where));
  }

  private Side side(Node n, String where) {
    Map<String, Node> m = map(n, where, "expected a mapping with table or query");
    allow(m, where, Set.of("table", "query"), "table, query");
    if (m.containsKey("table") == m.containsKey("query")) {
      throw error(n, where, "expected exactly one of table and query");
    }
    if (m.containsKey("table")) {
      return new Side(identifier(m.get("table"), where + ".table"), null);
    }
    return new Side(null, text(m.get("query"), where + ".query"));
  }

  private Column column(Node n, String where) {
    if (n.value() instanceof String) {
      return new Column(identifier(n, where), null, false, null, false, false, null, false, false);
    }
    Map<String, Node> m = map(n, where, "expected a column name or a mapping with name and rules");
    Set<String> keys =
        Set.of(
            "name",
            "candidateColumn",
            "ignore",
            "tolerance",
            "trim",
            "ignoreCase",
            "timestampPrecision",
            "emptyIsNull",
            "sensitive");
    allow(
        m,
        where,
        keys,
        "name, candidateColumn, ignore, tolerance, trim, ignoreCase, timestampPrecision,"
            + " emptyIsNull, sensitive");
    String name = identifier(required(m, n, where, "name"), where + ".name");
    String candidateColumn =
        m.containsKey("candidateColumn")
            ? identifier(m.get("candidateColumn"), where + ".candidateColumn")
            : null;
    BigDecimal tolerance = null;
    if (m.containsKey("tolerance")) {
      Node t = m.get("tolerance");
      if (!(t.value() instanceof BigDecimal d) || d.signum() < 0) {
        throw error(t, where + ".tolerance", "expected a number 0 or above, got " + t.value());
      }
      tolerance = d;
    }
    ChronoUnit precision = null;
    if (m.containsKey("timestampPrecision")) {
      Node t = m.get("timestampPrecision");
      precision = PRECISIONS.get(String.valueOf(t.value()));
      if (precision == null) {
        throw error(
            t,
            where + ".timestampPrecision",
            "expected days, hours, minutes, seconds, millis or micros, got " + t.value());
      }
    }
    return new Column(
        name,
        candidateColumn,
        flag(m, "ignore", where),
        tolerance,
        flag(m, "trim", where),
        flag(m, "ignoreCase", where),
        precision,
        flag(m, "emptyIsNull", where),
        flag(m, "sensitive", where));
  }

  private Aggregate aggregate(Node n, String where) {
    Map<String, Node> m =
        map(n, where, "expected a mapping with name, legacy, candidate, tolerance");
    allow(
        m,
        where,
        Set.of("name", "legacy", "candidate", "tolerance"),
        "name, legacy, candidate, tolerance");
    BigDecimal tolerance = BigDecimal.ZERO;
    if (m.containsKey("tolerance")) {
      Node t = m.get("tolerance");
      if (!(t.value() instanceof BigDecimal d) || d.signum() < 0) {
        throw error(t, where + ".tolerance", "expected a number 0 or above, got " + t.value());
      }
      tolerance = d;
    }
    return new Aggregate(
        text(required(m, n, where, "name"), where + ".name"),
        n.line(),
        text(required(m, n, where, "legacy"), where + ".legacy"),
        text(required(m, n, where, "candidate"), where + ".candidate"),
        tolerance);
  }

  private boolean flag(Map<String, Node> m, String key, String where) {
    Node n = m.get(key);
    if (n == null) {
      return false;
    }
    if (!(n.value() instanceof Boolean b)) {
      throw error(n, where + "." + key, "expected true or false, got " + n.value());
    }
    return b;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Node> map(Node n, String where, String expected) {
    if (!(n.value() instanceof Map<?, ?> m)) {
      throw error(n, where, expected);
    }
    return (Map<String, Node>) m;
  }

  @SuppressWarnings("unchecked")
  private List<Node> list(Node n, String where, String expected) {
    if (!(n.value() instanceof List<?> l)) {
      throw error(n, where, "expected " + expected);
    }
    return (List<Node>) l;
  }

  private String text(Node n, String where) {
    if (!(n.value() instanceof String s) || s.isBlank()) {
      throw error(
          n,
          where,
          "expected a non-empty string, got "
              + n.value()
              + (n.value() instanceof Boolean
                  ? " (YAML reads no, yes, on, off, true and false unquoted as booleans: quote"
                      + " the name, \"no\")"
                  : ""));
    }
    return s;
  }

  private String identifier(Node n, String where) {
    String s = text(n, where);
    if (!IDENTIFIER.matcher(s).matches()) {
      throw error(
          n, where, "expected a plain SQL name (letters, digits, _; schema.table), got " + s);
    }
    return s;
  }

  private Node required(Map<String, Node> m, Node parent, String where, String key) {
    Node n = m.get(key);
    if (n == null) {
      throw error(parent, where.isEmpty() ? key : where + "." + key, "missing");
    }
    return n;
  }

  private void allow(Map<String, Node> m, String where, Set<String> allowed, String list) {
    for (Map.Entry<String, Node> e : m.entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw error(
            e.getValue(),
            where.isEmpty() ? e.getKey() : where + "." + e.getKey(),
            "unknown key (expected " + list + ")");
      }
    }
  }
}
