package dev.modelseal.cli;

import java.io.PrintWriter;
import java.util.List;

/** Prints rows as an aligned text table. */
final class Table {
  private Table() {}

  /**
   * @param rows header first; cells are escaped for the terminal
   * @param rightAligned per column, whether to right-align (numbers)
   */
  static void print(PrintWriter out, List<String[]> rows, String indent, boolean[] rightAligned) {
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int c = 0; c < cols; c++) {
        r[c] = Sizes.clip(r[c], 120);
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      sb.setLength(0);
      sb.append(indent);
      for (int c = 0; c < cols; c++) {
        String cell = r[c];
        int pad = width[c] - cell.length();
        if (rightAligned[c]) {
          sb.repeat(' ', pad).append(cell);
        } else {
          sb.append(cell);
          if (c < cols - 1) {
            sb.repeat(' ', pad);
          }
        }
        if (c < cols - 1) {
          sb.append("  ");
        }
      }
      out.println(sb.toString().stripTrailing());
    }
  }
}
