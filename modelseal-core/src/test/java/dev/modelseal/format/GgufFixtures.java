package dev.modelseal.format;

import dev.modelseal.format.GgufWriter.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GGUF fixtures committed under {@code src/test/resources/fixtures/gguf/}, as {@link
 * GgufWriter} builds them. {@code GgufFixturesTest} checks the committed files still equal these;
 * {@link #main} regenerates them (and the fuzz seeds) after a deliberate change.
 */
public final class GgufFixtures {
  /** Resource folder of the committed fixtures. */
  public static final String RESOURCE_DIR = "/fixtures/gguf/";

  private GgufFixtures() {}

  /** Fixture file name to contents. */
  public static Map<String, byte[]> all() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("f32_f16_v3.gguf", f32F16V3());
    m.put("q4_0_q8_0.gguf", quantized());
    m.put("align64_v2.gguf", align64V2());
    m.put("tokenizer_chat_template.gguf", tokenizerChatTemplate());
    m.put("mlx_no_trailing_padding.gguf", mlxNoTrailingPadding());
    m.put("ranks_0_to_4.gguf", ranks0To4());
    return m;
  }

  /**
   * Extra fuzz seeds beside the fixtures: malformed files that stop the parser at different depths,
   * so mutation starts from every stage.
   */
  public static Map<String, byte[]> malformedSeeds() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put(
        "bad_offset.gguf",
        new GgufWriter()
            .tensor(Tensor.f32("a", new long[] {2}, 1, 2))
            .tensor(Tensor.f32("b", new long[] {2}, 3, 4).withOffset(8))
            .toBytes());
    m.put(
        "nested_array.gguf",
        new GgufWriter()
            .raw(
                "k.nested",
                GgufValueType.ARRAY,
                new GgufWriter.Bytes().u32(9).u64(1).u32(0).u64(1).u8(1))
            .toBytes());
    m.put(
        "trailing_data.gguf",
        new GgufWriter()
            .tensor(Tensor.f32("a", new long[] {2}, 1, 2))
            .trailer(new GgufWriter.Bytes().u32(0x04034b50).zeros(40).toArray())
            .toBytes());
    m.put(
        "q4_0_partial_block.gguf",
        new GgufWriter()
            .tensor(Tensor.f32("t", new long[] {1}, 1).withTypeId(GgmlType.Q4_0.id()).withNe(16, 2))
            .toBytes());
    return m;
  }

  /** Version 3, default alignment, one kv of every scalar type, short and long arrays. */
  static byte[] f32F16V3() {
    List<Object> twenty = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      twenty.add(i * 10);
    }
    return new GgufWriter()
        .string("general.architecture", "llama")
        .string("general.name", "tiny-f32-f16")
        .u8("test.u8", 200)
        .i8("test.i8", -5)
        .u16("test.u16", 60000)
        .i16("test.i16", -300)
        .u32("test.u32", 4_000_000_000L)
        .i32("test.i32", -70000)
        .f32("test.f32", 0.1f)
        .bool("test.bool", true)
        .u64("test.u64", -1L)
        .i64("test.i64", -(1L << 40))
        .f64("test.f64", 2.5)
        .stringArray("test.strings", List.of("a", "bé", "日本"))
        .array("test.u32s", GgufValueType.UINT32, twenty)
        .tensor(Tensor.f32("w", new long[] {2, 3}, 1, 2, 3, 4, 5, 6))
        .tensor(Tensor.f16("b", new long[] {4}, 0.5f, -1f, 2f, 65504f))
        .toBytes();
  }

  /** Q4_0 and Q8_0 blocks quantized as ggml does. */
  static byte[] quantized() {
    float[] a = new float[64];
    float[] b = new float[64];
    for (int i = 0; i < 64; i++) {
      a[i] = (float) Math.sin(i * 0.1);
      b[i] = i - 32f;
    }
    return new GgufWriter()
        .string("general.architecture", "llama")
        .u32("general.file_type", 2)
        .u32("general.quantization_version", 2)
        .tensor(Tensor.q4_0("blk.0.attn_q.weight", new long[] {2, 32}, a))
        .tensor(Tensor.q8_0("blk.0.ffn_up.weight", new long[] {1, 64}, b))
        .tensor(Tensor.f32("output_norm.weight", new long[] {3}, 1, 1, 1))
        .toBytes();
  }

  /** Version 2 with {@code general.alignment = 64}: tensors start on 64-byte boundaries. */
  static byte[] align64V2() {
    return new GgufWriter()
        .version(2)
        .alignment(64)
        .string("general.architecture", "gpt2")
        .tensor(Tensor.f32("a", new long[] {3}, 1, 2, 3))
        .tensor(Tensor.f32("b", new long[] {5}, 4, 5, 6, 7, 8))
        .tensor(
            Tensor.of(
                "c", GgmlType.I32, new long[] {2}, new GgufWriter.Bytes().u32(7).u32(-7).toArray()))
        .toBytes();
  }

  /** An embedded tokenizer with a default and a named chat template. */
  static byte[] tokenizerChatTemplate() {
    List<String> tokens = new ArrayList<>();
    float[] scores = new float[20];
    int[] types = new int[20];
    for (int i = 0; i < 20; i++) {
      tokens.add(i < 3 ? List.of("<unk>", "<s>", "</s>").get(i) : "tok" + i);
      scores[i] = -i;
      types[i] = i < 3 ? 3 : 1;
    }
    return new GgufWriter()
        .string("general.architecture", "llama")
        .string("tokenizer.ggml.model", "llama")
        .stringArray("tokenizer.ggml.tokens", tokens)
        .f32Array("tokenizer.ggml.scores", scores)
        .i32Array("tokenizer.ggml.token_type", types)
        .u32("tokenizer.ggml.bos_token_id", 1)
        .u32("tokenizer.ggml.eos_token_id", 2)
        .string(
            "tokenizer.chat_template",
            "{% for message in messages %}<|{{ message['role'] }}|>{{ message['content'] }}"
                + "{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}")
        .string("tokenizer.chat_template.tool_use", "{{ tools | tojson }}")
        .stringArray("tokenizer.chat_templates", List.of("tool_use"))
        .tensor(Tensor.f32("token_embd.weight", new long[] {20, 1}, scores))
        .toBytes();
  }

  /**
   * As mlx-lm writes: explicit {@code general.alignment}, {@code token_type} as uint32, a rank-0
   * tensor, and no padding after the last tensor.
   */
  static byte[] mlxNoTrailingPadding() {
    List<Object> types = List.of(3, 1, 1);
    return new GgufWriter()
        .alignment(32)
        .string("general.architecture", "llama")
        .stringArray("tokenizer.ggml.tokens", List.of("<s>", "a", "b"))
        .array("tokenizer.ggml.token_type", GgufValueType.UINT32, types)
        .tensor(Tensor.f32("scale", new long[] {}, 0.5f))
        .tensor(Tensor.f16("bias", new long[] {3}, 1, 2, 3))
        .trailingPadding(false)
        .toBytes();
  }

  /** Tensors of rank 0 to 4, one of them with zero elements. */
  static byte[] ranks0To4() {
    return new GgufWriter()
        .tensor(Tensor.f32("r0", new long[] {}, 42))
        .tensor(Tensor.f32("r1", new long[] {2}, 1, 2))
        .tensor(Tensor.f32("r2", new long[] {2, 1}, 3, 4))
        .tensor(Tensor.f32("r3_empty", new long[] {2, 0, 3}))
        .tensor(Tensor.f32("r4", new long[] {1, 2, 1, 2}, 5, 6, 7, 8))
        .toBytes();
  }

  /**
   * Regenerates the fixtures into {@code args[0]} (default: this module's test resources) and the
   * fuzz seed folder beside it.
   */
  public static void main(String[] args) throws IOException {
    Path resources = Path.of(args.length > 0 ? args[0] : "modelseal-core/src/test/resources");
    Path fixtures = resources.resolve("fixtures/gguf");
    Path seeds = resources.resolve("dev/modelseal/format/GgufFuzzTestInputs/fuzzRead");
    Files.createDirectories(fixtures);
    Files.createDirectories(seeds);
    for (Map.Entry<String, byte[]> e : all().entrySet()) {
      Files.write(fixtures.resolve(e.getKey()), e.getValue());
      Files.write(seeds.resolve(e.getKey()), e.getValue());
    }
    for (Map.Entry<String, byte[]> e : malformedSeeds().entrySet()) {
      Files.write(seeds.resolve(e.getKey()), e.getValue());
    }
  }
}
