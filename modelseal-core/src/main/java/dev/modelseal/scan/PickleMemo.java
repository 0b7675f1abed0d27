package dev.modelseal.scan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * The unpickler's memo. Picklers number entries 0, 1, 2, ... so dense indexes live in a list (one
 * reference each); any other index goes to a map. Python's memo is a dict keyed by index, so {@code
 * MEMOIZE} stores at {@code len(memo)}, the number of distinct keys.
 */
final class PickleMemo {
  private final ArrayList<PickleValue> dense = new ArrayList<>();
  private final Map<Long, PickleValue> sparse = new HashMap<>();
  private int denseCount;

  /** Number of distinct keys. */
  long size() {
    return denseCount + (long) sparse.size();
  }

  PickleValue get(long index) {
    if (index >= 0 && index < dense.size()) {
      return dense.get((int) index);
    }
    return sparse.get(index);
  }

  boolean contains(long index) {
    return get(index) != null;
  }

  void put(long index, PickleValue v) {
    if (index >= 0 && index < dense.size()) {
      if (dense.set((int) index, v) == null) {
        denseCount++;
      }
      return;
    }
    if (index == dense.size() && index < Integer.MAX_VALUE) {
      dense.add(v);
      denseCount++;
      // A sparse entry with the next index would now be shadowed: move it over.
      while (!sparse.isEmpty() && sparse.containsKey((long) dense.size())) {
        dense.add(sparse.remove((long) dense.size()));
        denseCount++;
      }
      return;
    }
    sparse.put(index, v);
  }
}
