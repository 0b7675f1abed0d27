package dev.modelseal.scan;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.modelseal.format.FormatException;
import dev.modelseal.format.ParseLimits;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Streams a JSON document token by token (no tree: tokenizer files run to tens of megabytes) and
 * hands every scalar to a visitor with its path. Reads what Python's {@code json} reads (NaN and
 * Infinity included) and reports duplicate keys, which Python resolves silently to the last value
 * while other parsers keep the first: a parser differential.
 */
final class JsonWalker {
  /** Receives every scalar value with the path of keys and indexes leading to it. */
  interface Visitor {
    void scalar(List<String> path, JsonToken token, String text);

    void duplicateKey(List<String> path, String key);
  }

  private JsonWalker() {}

  static String path(List<String> path) {
    StringBuilder sb = new StringBuilder();
    for (String p : path) {
      if (p.startsWith("[")) {
        sb.append(p);
      } else {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(p);
      }
    }
    return sb.toString();
  }

  /**
   * Walks the document.
   *
   * @throws FormatException {@code json.malformed} or a limit rule
   */
  static void walk(MemorySegment data, ParseLimits limits, Visitor visitor) throws FormatException {
    JsonFactory factory =
        JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(limits.maxJsonDepth())
                    .maxStringLength((int) Math.min(limits.maxTextBytes(), Integer.MAX_VALUE))
                    .maxNumberLength(4300)
                    .maxNameLength((int) Math.min(limits.maxTextBytes(), Integer.MAX_VALUE))
                    .build())
            .build();
    try (JsonParser p = factory.createParser(new SegmentInputStream(data))) {
      List<String> path = new ArrayList<>();
      List<Set<String>> keys = new ArrayList<>();
      List<int[]> index = new ArrayList<>();
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new FormatException("json.malformed", null, 0, null, "empty document");
      }
      while (t != null) {
        // Entering a value inside an array: its path segment is the index.
        boolean inArray = !index.isEmpty() && index.getLast() != null;
        if (inArray && t != JsonToken.END_ARRAY) {
          int[] i = index.getLast();
          path.add("[" + i[0]++ + "]");
        }
        switch (t) {
          case START_OBJECT -> {
            keys.add(new HashSet<>());
            index.add(null);
          }
          case START_ARRAY -> {
            keys.add(null);
            index.add(new int[1]);
          }
          case END_OBJECT, END_ARRAY -> {
            keys.removeLast();
            index.removeLast();
            popValue(path);
          }
          case FIELD_NAME -> {
            String name = p.currentName();
            if (!keys.getLast().add(name)) {
              visitor.duplicateKey(path, name);
            }
            path.add(name);
          }
          default -> {
            visitor.scalar(path, t, p.getText());
            popValue(path);
          }
        }
        t = p.nextToken();
        if (keys.isEmpty() && t != null) {
          throw new FormatException(
              "json.malformed", null, -1, null, "data after the top-level value");
        }
      }
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
      throw new FormatException(
          "limit.json", null, -1, null, "JSON exceeds a parse limit: " + firstLine(e), e);
    } catch (IOException e) {
      throw new FormatException("json.malformed", null, -1, null, firstLine(e), e);
    }
  }

  /** After a value completes: drop its key (object) or index (array) from the path. */
  private static void popValue(List<String> path) {
    if (!path.isEmpty()) {
      path.removeLast();
    }
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl >= 0 ? m.substring(0, nl) : m;
  }

  /** Reads a memory segment without copying it whole. */
  private static final class SegmentInputStream extends InputStream {
    private final MemorySegment data;
    private long pos;

    SegmentInputStream(MemorySegment data) {
      this.data = data;
    }

    @Override
    public int read() {
      return pos < data.byteSize()
          ? data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, pos++) & 0xff
          : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      long left = data.byteSize() - pos;
      if (left <= 0) {
        return len == 0 ? 0 : -1;
      }
      int n = (int) Math.min(len, left);
      MemorySegment.copy(data, java.lang.foreign.ValueLayout.JAVA_BYTE, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
