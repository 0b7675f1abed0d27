package dev.modelseal.lint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;

/**
 * The AST facts of Python files, as the machine's own python3 parses them (exact for the Python
 * version the app runs on). One python3 process reads every path; it only parses, never imports or
 * runs what it reads (see {@code python_facts.py}).
 */
final class PythonFacts {
  private static final String SCRIPT = loadScript();
  private static final int MAX_STDERR = 2048;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String python;

  PythonFacts(String python) {
    this.python = python;
  }

  /** Feeds {@code files} to python3 and hands each file's record to {@code sink}, in order. */
  void parse(List<Path> files, Consumer<JsonNode> sink) throws IOException {
    // -I: the linted app's folder (or PYTHON* variables) must not shadow ast or json.
    ProcessBuilder pb = new ProcessBuilder(python, "-I", "-c", SCRIPT);
    pb.directory(Path.of("/").toFile());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new PythonUnavailableException(
          "lint.python-missing: cannot start '"
              + python
              + "' (lint parses Python with python3's own ast module; install python3)",
          e);
    }
    FutureTask<Void> feed =
        new FutureTask<>(
            () -> {
              try (OutputStream in = p.getOutputStream()) {
                for (Path f : files) {
                  in.write(f.toString().getBytes(StandardCharsets.UTF_8));
                  in.write(0);
                }
              }
              return null;
            });
    FutureTask<String> errors = new FutureTask<>(() -> head(p.getErrorStream()));
    Thread.ofVirtual().start(feed);
    Thread.ofVirtual().start(errors);
    int records = 0;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        sink.accept(JSON.readTree(line));
        records++;
      }
    } finally {
      p.destroy();
    }
    int status;
    try {
      status = p.waitFor();
      await(feed);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while python3 parsed the sources", e);
    }
    if (status != 0 || records != files.size()) {
      throw new PythonUnavailableException(
          "lint.python-failed: "
              + python
              + " exited with status "
              + status
              + " after "
              + records
              + " of "
              + files.size()
              + " files: "
              + await(errors).strip(),
          null);
    }
  }

  private static <T> T await(Future<T> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException) {
        // python3 stopped reading (it died): the status check reports why.
        return null;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The first bytes of python3's stderr, the rest drained so it never blocks on a full pipe. */
  private static String head(InputStream err) throws IOException {
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    for (int n = err.read(buf); n >= 0; n = err.read(buf)) {
      kept.write(buf, 0, Math.min(n, Math.max(0, MAX_STDERR - kept.size())));
    }
    String s = kept.toString(StandardCharsets.UTF_8);
    int nl = s.lastIndexOf('\n', s.length() - 2);
    return nl >= 0 ? s.substring(nl + 1) : s;
  }

  private static String loadScript() {
    try (InputStream in = PythonFacts.class.getResourceAsStream("python_facts.py")) {
      if (in == null) {
        throw new IllegalStateException("python_facts.py missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) {
      out.add(n.asText());
    }
    return out;
  }
}
