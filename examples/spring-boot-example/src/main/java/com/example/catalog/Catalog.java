package com.example.catalog;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

/**
 * The product table, read once from {@code catalog/items.csv}. In production both systems read
 * the same database; here the legacy stand-in ({@code legacy/LegacyCatalog.java}) reads the same
 * file.
 */
@Component
public class Catalog {

  private final Map<Long, Item> items = new TreeMap<>(); // in id order

  public Catalog() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new ClassPathResource("catalog/items.csv").getInputStream(), StandardCharsets.UTF_8))) {
      in.readLine(); // header
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] f = line.split(",");
        Item item = new Item(Long.parseLong(f[0]), f[1], f[2], f[3], new BigDecimal(f[4]), Integer.parseInt(f[5]),
            Integer.parseInt(f[6]));
        items.put(item.id(), item);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("catalog/items.csv", e);
    }
  }

  public Optional<Item> find(long id) {
    return Optional.ofNullable(items.get(id));
  }

  /** Items of a category in id order; every item when {@code category} is null. */
  public List<Item> list(String category) {
    return items.values().stream()
        .filter(i -> category == null || i.category().equals(category))
        .toList();
  }

  /** Category slugs with their item counts, in alphabetical order. */
  public Map<String, Integer> categories() {
    Map<String, Integer> counts = new TreeMap<>();
    for (Item i : items.values()) {
      counts.merge(i.category(), 1, Integer::sum);
    }
    return counts;
  }
}
