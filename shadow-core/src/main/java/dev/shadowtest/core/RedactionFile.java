package dev.shadowtest.core;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The parser of a redaction file ({@code --redact FILE}, {@link Redaction#load}): what is redacted
 * beyond the default credential headers.
 *
 * <pre>{@code
 * version: 1
 * headers: [X-Session-Token]            # case-insensitive, requests and responses
 * jsonPaths: ["$.card.number", "$..password"]   # JSON bodies, requests and responses
 * queryParams: [token, api_key]         # request targets, and form bodies
 * patterns: ["\\b\\d{4}-\\d{4}-\\d{4}-\\d{4}\\b"]  # regexes: targets, header values, text bodies
 * jwt:                                  # JSON Web Tokens kept with their claims, signature dropped
 *   headers: [Authorization]            # the default when the section is there
 *   sensitiveClaims: [email, name]      # top-level claims whose values are masked
 * }</pre>
 *
 * Unknown keys, bad JSON paths and bad regexes are errors naming the file, the line and the key.
 */
final class RedactionFile {

  private RedactionFile() {}

  /** A redaction file is a few kilobytes; a larger one is refused before it is parsed. */
  public static final long MAX_FILE_BYTES = 1 << 20;

  static Redaction load(Path file) {
    String text;
    try {
      if (Files.isRegularFile(file) && Files.size(file) > MAX_FILE_BYTES
          || !Files.isRegularFile(file) && Files.exists(file)) {
        throw new RecordingException(
            file,
            0,
            "is larger than 1 MiB, or not a regular file: a redaction file is a few"
                + " kilobytes of YAML");
      }
      text = Files.readString(file);
    } catch (IOException e) {
      throw new RecordingException(
          file, 0, Files.exists(file) ? "cannot read: " + e.getMessage() : "no such file");
    }
    return parse(text, file);
  }

  static Redaction parse(String yaml, Path file) {
    List<String> headers = new ArrayList<>();
    List<String> jsonPaths = new ArrayList<>();
    List<String> queryParams = new ArrayList<>();
    List<String> patterns = new ArrayList<>();
    Redaction.Jwt jwt = Redaction.Jwt.NONE;
    try (JsonParser p = new YAMLFactory().createParser(yaml)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return Redaction.none();
      }
      if (t != JsonToken.START_OBJECT) {
        throw error(file, p.currentLocation(), null, "expected a mapping of keys (" + KEYS + ")");
      }
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonLocation where = p.currentLocation();
        p.nextToken();
        switch (key) {
          case "version" -> {
            if (!p.currentToken().isNumeric() || p.getIntValue() != 1) {
              throw error(file, where, key, "only version 1 is known");
            }
          }
          case "headers" -> strings(p, file, key, headers);
          case "jsonPaths" -> {
            for (String s : strings(p, file, key, new ArrayList<>())) {
              try {
                JsonPath.parse(s);
              } catch (IllegalArgumentException | BadInputException e) {
                throw error(file, where, key, "bad JSON path \"" + s + "\": " + e.getMessage());
              }
              jsonPaths.add(s);
            }
          }
          case "queryParams" -> strings(p, file, key, queryParams);
          case "patterns" -> {
            for (String s : strings(p, file, key, new ArrayList<>())) {
              try {
                Pattern.compile(s);
              } catch (PatternSyntaxException e) {
                throw error(file, where, key, "bad regex \"" + s + "\": " + e.getDescription());
              }
              patterns.add(s);
            }
          }
          case "jwt" -> jwt = jwt.plus(jwt(p, file, where));
          default -> throw error(file, where, key, "unknown key (known: " + KEYS + ")");
        }
      }
    } catch (IOException e) {
      throw new RecordingException(file, 0, "not valid YAML: " + e.getMessage(), e);
    }
    return new Redaction(headers, jsonPaths, queryParams, patterns, false, jwt);
  }

  private static final String KEYS = "version, headers, jsonPaths, queryParams, patterns, jwt";

  /**
   * The {@code jwt:} section: a mapping of {@code headers} (at least one; {@code [Authorization]}
   * when left out) and {@code sensitiveClaims}; empty ({@code jwt: {}} or {@code jwt:}) keeps the
   * tokens of {@code Authorization}.
   */
  private static Redaction.Jwt jwt(JsonParser p, Path file, JsonLocation where) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return new Redaction.Jwt(Redaction.Jwt.DEFAULT_HEADERS, List.of());
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw error(
          file,
          where,
          "jwt",
          "expected a mapping of keys (headers, sensitiveClaims), got " + p.getText());
    }
    List<String> headers = null;
    List<String> claims = new ArrayList<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = "jwt." + p.currentName();
      JsonLocation at = p.currentLocation();
      p.nextToken();
      switch (key) {
        case "jwt.headers" -> {
          headers = strings(p, file, key, headers == null ? new ArrayList<>() : headers);
          if (headers.isEmpty()) {
            throw error(
                file,
                at,
                key,
                "expected at least one header name (leave the jwt section out to redact tokens"
                    + " whole)");
          }
        }
        case "jwt.sensitiveClaims" -> strings(p, file, key, claims);
        default -> throw error(file, at, key, "unknown key (known: headers, sensitiveClaims)");
      }
    }
    return new Redaction.Jwt(headers == null ? Redaction.Jwt.DEFAULT_HEADERS : headers, claims);
  }

  private static List<String> strings(JsonParser p, Path file, String key, List<String> into)
      throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw error(file, p.currentLocation(), key, "expected a list of strings");
    }
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.VALUE_STRING || p.getText().isBlank()) {
        throw error(
            file, p.currentLocation(), key, "expected a non-empty string, got " + p.getText());
      }
      into.add(p.getText());
    }
    return into;
  }

  private static RecordingException error(
      Path file, JsonLocation where, String key, String message) {
    return new RecordingException(
        file, where == null ? 0 : where.getLineNr(), (key == null ? "" : key + ": ") + message);
  }
}
