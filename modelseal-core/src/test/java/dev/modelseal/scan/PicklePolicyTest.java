package dev.modelseal.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelseal.format.FormatException;
import dev.modelseal.scan.PicklePolicy.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PicklePolicyTest {
  private static final PicklePolicy P = PicklePolicy.defaults();

  static Verdict v(String module, String name) {
    return P.classify(new PickleImport(module, name), 4);
  }

  @Test
  void classify_seedPairs_allowed() {
    assertThat(v("collections", "OrderedDict")).isEqualTo(Verdict.ALLOWED);
    assertThat(v("torch._utils", "_rebuild_tensor_v2")).isEqualTo(Verdict.ALLOWED);
    assertThat(v("torch", "BFloat16Storage")).isEqualTo(Verdict.ALLOWED);
    assertThat(v("torch", "bfloat16")).isEqualTo(Verdict.ALLOWED);
    assertThat(v("numpy._core.multiarray", "_reconstruct")).isEqualTo(Verdict.ALLOWED);
    assertThat(v("_codecs", "encode")).isEqualTo(Verdict.ALLOWED);
  }

  @Test
  void classify_nearMissesOfSeed_notAllowed() {
    assertThat(v("torch._utils", "_rebuild_tensor_v3")).isEqualTo(Verdict.NOT_ALLOWLISTED);
    assertThat(v("collections", "OrderedDict.fromkeys")).isEqualTo(Verdict.NOT_ALLOWLISTED);
    assertThat(v("torch", "_utils")).isEqualTo(Verdict.NOT_ALLOWLISTED);
  }

  @Test
  void classify_anythingUnderACriticalModule_dangerous() {
    assertThat(v("os", "system")).isEqualTo(Verdict.DANGEROUS);
    assertThat(v("os.path", "exists")).isEqualTo(Verdict.DANGEROUS);
    assertThat(v("subprocess", "run")).isEqualTo(Verdict.DANGEROUS);
    assertThat(v("importlib.machinery", "SourceFileLoader")).isEqualTo(Verdict.DANGEROUS);
    assertThat(v("asyncio.subprocess", "create_subprocess_shell")).isEqualTo(Verdict.DANGEROUS);
  }

  @Test
  void classify_moduleNameMerelyStartingLikeACriticalOne_notDangerous() {
    assertThat(v("osmosis", "x")).isEqualTo(Verdict.NOT_ALLOWLISTED);
    assertThat(v("system", "os")).isEqualTo(Verdict.NOT_ALLOWLISTED);
  }

  @Test
  void classify_criticalBuiltinsOnly_dangerous() {
    for (String n :
        new String[] {"eval", "exec", "compile", "open", "getattr", "__import__", "breakpoint"}) {
      assertThat(v("builtins", n)).as(n).isEqualTo(Verdict.DANGEROUS);
    }
    assertThat(v("builtins", "set")).isEqualTo(Verdict.ALLOWED);
    assertThat(v("builtins", "print")).isEqualTo(Verdict.NOT_ALLOWLISTED);
  }

  @Test
  void classify_python2NamesBelowProtocol3_mapped() {
    PickleImport set = new PickleImport("__builtin__", "set");
    assertThat(P.classify(set, 2)).isEqualTo(Verdict.ALLOWED);
    // Protocol 3+ does not map names: __builtin__ does not exist there.
    assertThat(P.classify(set, 3)).isEqualTo(Verdict.NOT_ALLOWLISTED);
    assertThat(P.classify(new PickleImport("commands", "getoutput"), 3))
        .isEqualTo(Verdict.DANGEROUS);
    assertThat(P.classify(new PickleImport("__builtin__", "reduce"), 2))
        .isEqualTo(Verdict.DANGEROUS);
  }

  @Test
  void classify_dottedNameThroughDunder_dangerous() {
    assertThat(v("collections", "OrderedDict.__init__.__globals__")).isEqualTo(Verdict.DANGEROUS);
  }

  @Test
  void withAllowed_cannotWhitelistCriticalCallables() {
    PicklePolicy p = P.withAllowed(Set.of(new PickleImport("os", "system")));
    assertThat(p.classify(new PickleImport("os", "system"), 4)).isEqualTo(Verdict.DANGEROUS);
  }

  @Test
  void withAllowlistFile_commentsAndBlankLines(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("allow.txt");
    Files.writeString(
        f, "# mine\n\nargparse Namespace   # fairseq checkpoints\n  mypkg.sub  Klass\n");
    PicklePolicy p = P.withAllowlistFile(f);
    assertThat(p.classify(new PickleImport("argparse", "Namespace"), 4)).isEqualTo(Verdict.ALLOWED);
    assertThat(p.classify(new PickleImport("mypkg.sub", "Klass"), 4)).isEqualTo(Verdict.ALLOWED);
    assertThat(p.allowlist()).containsAll(P.allowlist());
  }

  @Test
  void withAllowlistFile_badLine_syntaxRuleNamingLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("allow.txt");
    Files.writeString(f, "ok.module Name\nonly-one-token\n");
    assertThatThrownBy(() -> P.withAllowlistFile(f))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("[allowlist.syntax]")
        .hasMessageContaining("line 2");
  }

  @Test
  void nestedLoader_pickleAndCompatNames() {
    assertThat(PicklePolicy.nestedLoader(new PickleImport("pickle", "loads"))).isTrue();
    assertThat(PicklePolicy.nestedLoader(new PickleImport("_pickle", "loads"))).isTrue();
    assertThat(PicklePolicy.nestedLoader(new PickleImport("cPickle", "loads"))).isTrue();
    assertThat(PicklePolicy.nestedLoader(new PickleImport("json", "loads"))).isFalse();
  }
}
