package dev.modelseal.format;

import dev.modelseal.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The committed safetensors fixtures under {@code src/test/resources/fixtures/safetensors/}, and
 * how they are made: a tiny model of mixed dtypes written by {@link SafetensorsWriter} in Hugging
 * Face layout ({@code hf-style.safetensors}), in MLX layout ({@code mlx-style.safetensors}), and as
 * an mlx-lm two-shard folder with its index ({@code sharded/}). {@code SafetensorsFixturesTest}
 * fails if the committed files drift from what this class writes. To regenerate them:
 *
 * <pre>
 * java -cp modelseal-core/target/test-classes:modelseal-core/target/classes \
 *     dev.modelseal.format.SafetensorsFixtures modelseal-core/src/test/resources/fixtures/safetensors
 * </pre>
 */
public final class SafetensorsFixtures {
  /** Classpath folder of the fixtures. */
  public static final String RESOURCE_DIR = "fixtures/safetensors";

  public static final String HF_FILE = "hf-style.safetensors";
  public static final String MLX_FILE = "mlx-style.safetensors";
  public static final String SHARDED_DIR = "sharded";

  private SafetensorsFixtures() {}

  /** The tiny model in Hugging Face layout, with {@code {"format":"pt"}} as torch writes. */
  public static SafetensorsWriter huggingFace() {
    return tinyModel(SafetensorsWriter.huggingFace().metadata("format", "pt"));
  }

  /** The tiny model in MLX layout, with {@code {"format":"mlx"}} as mlx-lm writes. */
  public static SafetensorsWriter mlx() {
    return tinyModel(SafetensorsWriter.mlx());
  }

  /** Writes every fixture into {@code dir}. */
  public static void writeAll(Path dir) throws IOException {
    Files.createDirectories(dir);
    huggingFace().write(dir.resolve(HF_FILE));
    mlx().write(dir.resolve(MLX_FILE));
    mlx().writeSharded(dir.resolve(SHARDED_DIR), 2);
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: SafetensorsFixtures OUTPUT_DIR");
    }
    writeAll(Path.of(args[0]));
  }

  /** Nine tensors, 175 bytes of data, covering plain, sub-byte, 8-bit float and BOOL dtypes. */
  private static SafetensorsWriter tinyModel(SafetensorsWriter w) {
    return w.f32(
            "model.embed_tokens.weight",
            new long[] {4, 3},
            0.5f,
            -1f,
            2f,
            0f,
            1e-3f,
            -0f,
            3.25f,
            -7.5f,
            1f,
            100f,
            -0.125f,
            42f)
        .pattern("model.layers.0.self_attn.q_proj.weight", DType.F16, new long[] {3, 3}, 1)
        .pattern("model.layers.0.self_attn.q_proj.scales", DType.BF16, new long[] {3, 1}, 2)
        .pattern("model.layers.0.mlp.gate_proj.weight", DType.U32, new long[] {3, 4}, 3)
        .pattern("model.layers.0.mlp.experts", DType.F4, new long[] {2, 8}, 4)
        .pattern("model.layers.0.mlp.scale", DType.F8_E4M3, new long[] {5}, 5)
        .i64("model.layers.0.position_ids", new long[] {1, 4}, 0, 1, 2, 3)
        .bool(
            "model.layers.0.attention_mask",
            new long[] {2, 3},
            true,
            true,
            false,
            true,
            false,
            false)
        .tensor("lm_head.bias", DType.F32, new long[] {}, new byte[] {0, 0, (byte) 0x80, 0x3f});
  }
}
