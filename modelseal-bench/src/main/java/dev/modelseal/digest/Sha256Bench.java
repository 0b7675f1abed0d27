package dev.modelseal.digest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SHA-256 throughput of the engine's two implementations, side by side in one run: the system's
 * libcrypto through one FFM downcall per update, and the JDK's {@code MessageDigest} (SHA-NI
 * intrinsic once C2 has compiled it), at the engine's window size and smaller ones. It shows what
 * the FFM binding is worth once both are warm; {@code scripts/bench-hash.sh} shows whole runs.
 *
 * <pre>
 * mvn -q -pl modelseal-bench -am package -DskipTests
 * java --enable-native-access=ALL-UNNAMED -jar modelseal-bench/target/benchmarks.jar Sha256Bench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class Sha256Bench {
  @Param({"libcrypto", "jdk"})
  public String implementation;

  @Param({"65536", "1048576"})
  public int updateBytes;

  private Arena arena;
  private MemorySegment data;

  @Setup(Level.Trial)
  public void setUp() {
    if (implementation.equals("libcrypto") && !LibcryptoSha256.available()) {
      throw new IllegalStateException("libcrypto not usable: " + LibcryptoSha256.why());
    }
    arena = Arena.ofShared();
    data = arena.allocate(updateBytes, 4096);
    byte[] random = new byte[updateBytes];
    new Random(1).nextBytes(random);
    MemorySegment.copy(MemorySegment.ofArray(random), 0, data, 0, updateBytes);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  /** One update of {@code updateBytes} plus the finish; the score times updateBytes is bytes/s. */
  @Benchmark
  public byte[] digest() {
    try (Sha256 sha =
        implementation.equals("libcrypto") ? LibcryptoSha256.create() : new JdkSha256()) {
      sha.update(data);
      return sha.finish();
    }
  }
}
