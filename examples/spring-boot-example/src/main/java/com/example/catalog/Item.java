package com.example.catalog;

import java.math.BigDecimal;

/** One row of the product table: what both the legacy and the new catalog serve. */
public record Item(long id, String sku, String name, String category, BigDecimal listPrice, int discountPercent,
    int stock) {

  public boolean inStock() {
    return stock > 0;
  }
}
