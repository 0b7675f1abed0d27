package dev.modelseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
  @TempDir Path dir;

  @Test
  void demo_default_everyStepAsExpected() {
    CliRun r = CliRun.of("demo");
    assertThat(r.status()).as(r.out() + r.err()).isEqualTo(ExitCode.OK);
    assertThat(r.out()).contains("Demo complete").doesNotContain("FAILED");
    assertThat(r.out()).contains("[safetensors.trailing-bytes]");
    assertThat(r.out()).contains("[oms.model-mismatch] changed: " + ExampleModel.TAMPERED_FILE);
    assertThat(r.out()).contains("changed   " + ExampleModel.TAMPERED_TENSOR);
    assertThat(r.out()).contains("changed tensor: " + ExampleModel.TAMPERED_TENSOR);
    assertThat(r.out()).contains("CRITICAL pickle.dangerous-import").contains("os.system");
  }

  @Test
  void demo_withDir_keepsTheExample() {
    Path target = dir.resolve("demo");
    CliRun r = CliRun.of("demo", "--dir", target.toString());
    assertThat(r.status()).isEqualTo(ExitCode.OK);
    assertThat(target.resolve("example-model/model.safetensors.index.json")).exists();
  }

  @Test
  void demo_nonEmptyDir_refusedExit2() throws Exception {
    Files.writeString(dir.resolve("precious.txt"), "keep me");
    CliRun r = CliRun.of("demo", "--dir", dir.toString());
    assertThat(r.status()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(dir.resolve("precious.txt")).hasContent("keep me");
  }
}
