package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a spreadsheet would evaluate gets a leading quote; numbers and text stay as they are. */
class CsvCellsTests {

  @Test
  void everyFormulaStartIsNeutralised() {
    for (String v :
        new String[] {
          "=1+1",
          "+1",
          "@SUM(A1)",
          "\t=1",
          "\r=1",
          "\n=2+2",
          "\uFF1D1+1",
          "\uFF0B1",
          "\uFF20SUM(A1)",
          "\uFF0D1",
          "-cmd|' /C calc'!A0"
        }) {
      assertThat(CsvCells.safe(v)).as(v).isEqualTo("'" + v);
    }
  }

  @Test
  void numbersAndTextAreKept() {
    for (String v : new String[] {"-1", "-1.5", "-2e3", "42", "GET /api/users/{id}", "a=b"}) {
      assertThat(CsvCells.safe(v)).isEqualTo(v);
    }
    assertThat(CsvCells.safe(null)).isEmpty();
  }
}
