package com.example.catalog;

import java.math.BigDecimal;
import java.math.RoundingMode;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The sale price of an item: its list price less its discount, rounded to the cent half-even, as
 * the legacy system (and the accounting system behind it) always did.
 *
 * <p>{@code catalog.regression=true} (from {@code -Dexample.regression=true}, see
 * application.properties) seeds the bug the Shadow gate is there to catch: half-up rounding, which
 * moves the price by one cent on every item whose discounted price ends in exactly half a cent
 * with an even cent before it (14 of the 100 item lookups in the recording).
 */
@Component
public class Pricing {

  private final RoundingMode rounding;

  public Pricing(@Value("${catalog.regression:false}") boolean regression) {
    this.rounding = regression ? RoundingMode.HALF_UP : RoundingMode.HALF_EVEN;
  }

  public BigDecimal salePrice(Item item) {
    return item.listPrice()
        .multiply(BigDecimal.valueOf(100 - item.discountPercent()))
        .movePointLeft(2)
        .setScale(2, rounding);
  }
}
