package dev.modelseal.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * Names and ignore paths come from users and from signed statements: the canonical-path check must
 * accept exactly the canonical relative paths and reject everything else with a rule, never throw
 * anything else.
 */
class ModelTreeFuzzTest {
  @FuzzTest(maxDuration = "5m")
  void checkRelativePath_anyString_acceptsOnlyCanonical(String p) {
    if (p == null) {
      return; // the mutator's null; callers never pass one
    }
    boolean accepted;
    try {
      ModelTree.checkRelativePath(p, "fuzz.rule");
      accepted = true;
    } catch (ModelTreeException e) {
      assertThat(e.rule()).isEqualTo("fuzz.rule");
      accepted = false;
    }
    assertThat(accepted).isEqualTo(canonical(p));
    // The ignore test must not throw either, whatever it is given.
    ModelTree.isIgnored(p, List.of(p.isEmpty() ? "x" : p));
  }

  /** An independent statement of the rule: non-empty '/'-separated segments, none '.' or '..'. */
  private static boolean canonical(String p) {
    if (p.isEmpty() || p.startsWith("/") || p.contains("\\") || p.contains("\0")) {
      return false;
    }
    String body = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    if (body.isEmpty()) {
      return false;
    }
    int start = 0;
    while (true) {
      int slash = body.indexOf('/', start);
      String seg = slash < 0 ? body.substring(start) : body.substring(start, slash);
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
        return false;
      }
      if (slash < 0) {
        return true;
      }
      start = slash + 1;
    }
  }
}
