package dev.modelseal.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelTreeTest {
  @TempDir Path tmp;

  private Path root() throws IOException {
    return Files.createDirectory(tmp.resolve("model"));
  }

  private static void write(Path p, String text) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private static List<String> names(ModelTree t) {
    return t.entries().stream().map(ModelEntry::name).toList();
  }

  private static void assertRule(ThrowingRunnable r, String rule) {
    assertThatThrownBy(r::run)
        .isInstanceOf(ModelTreeException.class)
        .satisfies(e -> assertThat(((ModelTreeException) e).rule()).isEqualTo(rule))
        .hasMessageContaining("[" + rule + "]");
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void enumerate_defaultIgnores_onlyAtTopLevel() throws Exception {
    Path root = root();
    write(root.resolve(".git/config"), "x");
    write(root.resolve(".gitattributes"), "x");
    write(root.resolve(".github/workflows/ci.yml"), "x");
    write(root.resolve(".gitignore"), "x");
    write(root.resolve("sub/.git/keep"), "x");
    write(root.resolve("sub/.gitignore"), "x");
    write(root.resolve(".gitkeep"), "x");
    write(root.resolve("weights.bin"), "x");
    assertThat(names(ModelTree.enumerate(root, List.of(), false)))
        .containsExactly(".gitkeep", "sub/.git/keep", "sub/.gitignore", "weights.bin");
  }

  @Test
  void enumerate_userIgnores_areWholePathPrefixes() throws Exception {
    Path root = root();
    write(root.resolve("logs/run1.txt"), "x");
    write(root.resolve("logs2/keep.txt"), "x");
    write(root.resolve("sub/a.bin"), "x");
    write(root.resolve("sub/a.bin.bak"), "x");
    write(root.resolve("sub/deep/logs/x"), "x");
    assertThat(names(ModelTree.enumerate(root, List.of("logs", "sub/a.bin"), false)))
        .containsExactly("logs2/keep.txt", "sub/a.bin.bak", "sub/deep/logs/x");
  }

  @Test
  void enumerate_userIgnoreWithTrailingSlash_ignoresFolder() throws Exception {
    Path root = root();
    write(root.resolve("cache/x"), "x");
    write(root.resolve("model.bin"), "x");
    assertThat(names(ModelTree.enumerate(root, List.of("cache/"), false)))
        .containsExactly("model.bin");
  }

  @Test
  void enumerate_nonCanonicalIgnorePath_rejected() throws Exception {
    Path root = root();
    write(root.resolve("a"), "x");
    for (String bad : List.of("../a", "/abs", "a//b", "a\\b", "./a", "", "a/./b")) {
      assertRule(() -> ModelTree.enumerate(root, List.of(bad), false), "tree.bad-ignore-path");
    }
  }

  @Test
  void enumerate_symlinkByDefault_rejected() throws Exception {
    Path root = root();
    write(root.resolve("real.bin"), "x");
    Files.createSymbolicLink(root.resolve("link.bin"), root.resolve("real.bin"));
    assertRule(() -> ModelTree.enumerate(root, List.of(), false), "tree.symlink-not-allowed");
  }

  @Test
  void enumerate_symlinkedModelPathByDefault_rejected() throws Exception {
    Path root = root();
    write(root.resolve("a"), "x");
    Path link = Files.createSymbolicLink(tmp.resolve("link-to-model"), root);
    assertRule(() -> ModelTree.enumerate(link, List.of(), false), "tree.symlink-not-allowed");
  }

  @Test
  void enumerate_allowedSymlinkInsideRoot_listedAndReadThroughTarget() throws Exception {
    Path root = root();
    write(root.resolve("shards/real.bin"), "abc");
    Files.createSymbolicLink(root.resolve("alias.bin"), Path.of("shards/real.bin"));
    Files.createSymbolicLink(root.resolve("shards-link"), root.resolve("shards"));
    ModelTree t = ModelTree.enumerate(root, List.of(), true);
    assertThat(names(t)).containsExactly("alias.bin", "shards-link/real.bin", "shards/real.bin");
    ModelEntry alias = t.entries().getFirst();
    assertThat(Files.isSymbolicLink(alias.file())).isFalse();
    assertThat(alias.file()).isEqualTo(root.resolve("shards/real.bin").toRealPath());
    assertThat(alias.size()).isEqualTo(3);
  }

  @Test
  void enumerate_symlinkLeavingRoot_rejected() throws Exception {
    Path root = root();
    Path outside = tmp.resolve("outside.bin");
    Files.writeString(outside, "x");
    Files.createSymbolicLink(root.resolve("escape.bin"), outside);
    assertRule(() -> ModelTree.enumerate(root, List.of(), true), "tree.symlink-escapes-root");
  }

  @Test
  void enumerate_symlinkToSiblingWithSharedPrefix_rejected() throws Exception {
    // "/tmp/x/model2" starts with the characters of "/tmp/x/model" but is not inside it.
    Path root = root();
    Path sibling = Files.createDirectory(tmp.resolve("model2"));
    Files.writeString(sibling.resolve("f"), "x");
    Files.createSymbolicLink(root.resolve("l"), sibling.resolve("f"));
    assertRule(() -> ModelTree.enumerate(root, List.of(), true), "tree.symlink-escapes-root");
  }

  @Test
  void enumerate_symlinkCycle_rejected() throws Exception {
    Path root = root();
    write(root.resolve("d/f"), "x");
    Files.createSymbolicLink(root.resolve("d/up"), root);
    assertRule(() -> ModelTree.enumerate(root, List.of(), true), "tree.symlink-cycle");
  }

  @Test
  void enumerate_mutualSymlinkCycle_rejected() throws Exception {
    Path root = root();
    write(root.resolve("a/x"), "x");
    write(root.resolve("b/y"), "y");
    Files.createSymbolicLink(root.resolve("a/to-b"), root.resolve("b"));
    Files.createSymbolicLink(root.resolve("b/to-a"), root.resolve("a"));
    assertRule(() -> ModelTree.enumerate(root, List.of(), true), "tree.symlink-cycle");
  }

  @Test
  void enumerate_brokenSymlink_rejected() throws Exception {
    Path root = root();
    Files.createSymbolicLink(root.resolve("dangling"), root.resolve("missing"));
    assertRule(() -> ModelTree.enumerate(root, List.of(), true), "tree.symlink-broken");
  }

  private static boolean mkfifo(Path p) throws InterruptedException {
    try {
      Process pr = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
      return pr.waitFor(30, TimeUnit.SECONDS) && pr.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void enumerate_fifo_rejected() throws Exception {
    Path root = root();
    write(root.resolve("a.bin"), "x");
    assumeTrue(mkfifo(root.resolve("pipe")), "mkfifo unavailable: skipping");
    assertRule(() -> ModelTree.enumerate(root, List.of(), false), "tree.special-file");
  }

  @Test
  void enumerate_symlinkToFifo_rejected() throws Exception {
    Path root = root();
    assumeTrue(mkfifo(root.resolve("pipe")), "mkfifo unavailable: skipping");
    Files.createSymbolicLink(root.resolve("link"), root.resolve("pipe"));
    assertRule(() -> ModelTree.enumerate(root, List.of("pipe"), true), "tree.special-file");
  }

  @Test
  void enumerate_fifoAsModelPath_rejected() throws Exception {
    Path fifo = tmp.resolve("fifo-model");
    assumeTrue(mkfifo(fifo), "mkfifo unavailable: skipping");
    assertRule(() -> ModelTree.enumerate(fifo, List.of(), false), "tree.special-file");
  }

  @Test
  void enumerate_unicodeNames_keptExactlyAndSortedByUtf8Bytes() throws Exception {
    assumeTrue(
        "UTF-8".equals(System.getProperty("sun.jnu.encoding")),
        "file names are not UTF-8 in this JVM's locale: skipping");
    Path root = root();
    write(root.resolve("mod\u00e8le/\u65e5\u672c.bin"), "x");
    write(root.resolve("model/a"), "x");
    write(root.resolve("\uD83D\uDE00.txt"), "x");
    write(root.resolve("\uFF21.txt"), "x");
    write(root.resolve("zeta"), "x");
    List<String> names = names(ModelTree.enumerate(root, List.of(), false));
    // 'e' (65) sorts before 'è' (C3 A8); fullwidth 'Ａ' (EF BC A1) before the emoji (F0 9F 98 80),
    // although Java's UTF-16 string order would put the emoji's surrogate (D83D) first.
    assertThat(names)
        .containsExactly(
            "model/a", "mod\u00e8le/\u65e5\u672c.bin", "zeta", "\uFF21.txt", "\uD83D\uDE00.txt");
    assertThat(names.get(1).getBytes(StandardCharsets.UTF_8))
        .isEqualTo("mod\u00e8le/\u65e5\u672c.bin".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void enumerate_sortsByBytesNotPathComponents() throws Exception {
    Path root = root();
    write(root.resolve("tokenizer/vocab.txt"), "x");
    write(root.resolve("tokenizer.json"), "x");
    write(root.resolve("Zeta"), "x");
    write(root.resolve("alpha"), "x");
    // '.' (0x2E) < '/' (0x2F): byte order puts tokenizer.json first; the Python tool, sorting
    // per path component, would put tokenizer/vocab.txt first.
    assertThat(names(ModelTree.enumerate(root, List.of(), false)))
        .containsExactly("Zeta", "alpha", "tokenizer.json", "tokenizer/vocab.txt");
  }

  @Test
  void enumerate_singleFile_namedByBasename() throws Exception {
    Path f = tmp.resolve("model.safetensors");
    Files.writeString(f, "abcd");
    ModelTree t = ModelTree.enumerate(f, List.of(), false);
    assertThat(t.isSingleFile()).isTrue();
    assertThat(names(t)).containsExactly("model.safetensors");
    assertThat(t.totalBytes()).isEqualTo(4);
  }

  @Test
  void enumerate_fileNameWithBackslash_rejected() throws Exception {
    Path root = root();
    write(root.resolve("a\\b"), "x");
    assertRule(() -> ModelTree.enumerate(root, List.of(), false), "tree.bad-file-name");
  }

  @Test
  void requireFiles_emptyAfterIgnores_rejected() throws Exception {
    Path root = root();
    write(root.resolve(".git/HEAD"), "x");
    write(root.resolve("logs/a"), "x");
    ModelTree t = ModelTree.enumerate(root, List.of("logs"), false);
    assertThat(t.entries()).isEmpty();
    assertRule(t::requireFiles, "tree.empty");
  }

  @Test
  void requireFiles_withFiles_returnsTree() throws Exception {
    Path root = root();
    write(root.resolve("a"), "x");
    ModelTree t = ModelTree.enumerate(root, List.of(), false);
    assertThat(t.requireFiles()).isSameAs(t);
  }
}
