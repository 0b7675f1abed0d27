package dev.modelseal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes the demo's example model: a tiny Llama-shaped model laid out the way mlx-lm saves one —
 * two safetensors shards written MLX style (unpadded header, {@code {"format":"mlx"}} metadata),
 * the index, {@code config.json} and tokenizer files. The weights are deterministic pseudo-random
 * values.
 */
final class ExampleModel {
  static final String SHARD_1 = "model-00001-of-00002.safetensors";
  static final String SHARD_2 = "model-00002-of-00002.safetensors";

  /** The tensor the demo tampers with, and the file holding it. */
  static final String TAMPERED_TENSOR = "model.layers.1.mlp.down_proj.weight";

  static final String TAMPERED_FILE = SHARD_2;

  private static final int HIDDEN = 32;
  private static final int VOCAB = 64;
  private static final int FFN = 48;

  /** A tensor being written; arrays are owned by the writer and never shared. */
  private static final class Tensor {
    private final String name;
    private final long[] shape;
    private final float[] values;

    Tensor(String name, long[] shape, float[] values) {
      this.name = name;
      this.shape = shape;
      this.values = values;
    }

    String name() {
      return name;
    }

    long[] shape() {
      return shape;
    }

    float[] values() {
      return values;
    }
  }

  private ExampleModel() {}

  static void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom rnd = new SplittableRandom(20261126L);
    List<Tensor> shard1 = new ArrayList<>();
    List<Tensor> shard2 = new ArrayList<>();
    shard1.add(tensor(rnd, "model.embed_tokens.weight", VOCAB, HIDDEN));
    for (int layer = 0; layer < 2; layer++) {
      List<Tensor> target = layer == 0 ? shard1 : shard2;
      String p = "model.layers." + layer + ".";
      target.add(tensor(rnd, p + "input_layernorm.weight", HIDDEN));
      target.add(tensor(rnd, p + "self_attn.q_proj.weight", HIDDEN, HIDDEN));
      target.add(tensor(rnd, p + "self_attn.k_proj.weight", HIDDEN, HIDDEN));
      target.add(tensor(rnd, p + "self_attn.v_proj.weight", HIDDEN, HIDDEN));
      target.add(tensor(rnd, p + "self_attn.o_proj.weight", HIDDEN, HIDDEN));
      target.add(tensor(rnd, p + "mlp.gate_proj.weight", FFN, HIDDEN));
      target.add(tensor(rnd, p + "mlp.up_proj.weight", FFN, HIDDEN));
      target.add(tensor(rnd, p + "mlp.down_proj.weight", HIDDEN, FFN));
    }
    shard2.add(tensor(rnd, "model.norm.weight", HIDDEN));
    shard2.add(tensor(rnd, "lm_head.weight", VOCAB, HIDDEN));

    long total =
        writeShard(dir.resolve(SHARD_1), shard1) + writeShard(dir.resolve(SHARD_2), shard2);

    ObjectMapper json = new ObjectMapper();
    Map<String, Object> weightMap = new LinkedHashMap<>();
    shard1.forEach(t -> weightMap.put(t.name(), SHARD_1));
    shard2.forEach(t -> weightMap.put(t.name(), SHARD_2));
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("metadata", Map.of("total_size", total));
    index.put("weight_map", weightMap);
    writeJson(json, dir.resolve("model.safetensors.index.json"), index);

    Map<String, Object> config = new LinkedHashMap<>();
    config.put("model_type", "llama");
    config.put("architectures", List.of("LlamaForCausalLM"));
    config.put("hidden_size", HIDDEN);
    config.put("intermediate_size", FFN);
    config.put("num_hidden_layers", 2);
    config.put("num_attention_heads", 4);
    config.put("num_key_value_heads", 4);
    config.put("vocab_size", VOCAB);
    config.put("rms_norm_eps", 1e-5);
    config.put("tie_word_embeddings", false);
    writeJson(json, dir.resolve("config.json"), config);

    Map<String, Object> tokenizerConfig = new LinkedHashMap<>();
    tokenizerConfig.put("bos_token", "<s>");
    tokenizerConfig.put("eos_token", "</s>");
    tokenizerConfig.put(
        "chat_template",
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' +"
            + " message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}");
    writeJson(json, dir.resolve("tokenizer_config.json"), tokenizerConfig);

    Map<String, Object> vocab = new LinkedHashMap<>();
    for (int i = 0; i < VOCAB; i++) {
      vocab.put(i < 3 ? new String[] {"<unk>", "<s>", "</s>"}[i] : "tok" + i, i);
    }
    Map<String, Object> tokenizer = new LinkedHashMap<>();
    tokenizer.put("version", "1.0");
    tokenizer.put("model", Map.of("type", "WordLevel", "vocab", vocab, "unk_token", "<unk>"));
    writeJson(json, dir.resolve("tokenizer.json"), tokenizer);
  }

  /**
   * Changes one float of {@link #TAMPERED_TENSOR} in place: element 7 of its data, which starts at
   * the tensor's offset in {@link #TAMPERED_FILE}.
   */
  static void tamper(Path model) throws IOException {
    Path file = model.resolve(TAMPERED_FILE);
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = b.getLong(0);
    String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
    Map<?, ?> entries = new ObjectMapper().readValue(header, Map.class);
    Map<?, ?> entry = (Map<?, ?>) entries.get(TAMPERED_TENSOR);
    long begin = ((Number) ((List<?>) entry.get("data_offsets")).get(0)).longValue();
    int at = (int) (8 + headerLength + begin + 7 * 4);
    b.putFloat(at, 8.0f);
    Files.write(file, bytes);
  }

  /**
   * A pickle that calls {@code os.system("echo pwned")} when loaded: what a booby-trapped {@code
   * pytorch_model.bin} does. Written opcode by opcode; it is never executed.
   */
  static void writeMaliciousPickle(Path file) throws IOException {
    byte[] command = "echo pwned".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x80).put((byte) 2); // PROTO 2
    b.put("cos\nsystem\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL os.system
    b.put((byte) 'X').putInt(command.length).put(command); // BINUNICODE
    b.put((byte) 0x85); // TUPLE1
    b.put((byte) 'R'); // REDUCE: call os.system(...)
    b.put((byte) '.'); // STOP
    Files.write(file, java.util.Arrays.copyOf(b.array(), b.position()));
  }

  private static Tensor tensor(SplittableRandom rnd, String name, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((rnd.nextDouble() * 2 - 1) * 0.05);
    }
    return new Tensor(name, shape, v);
  }

  /**
   * MLX style: metadata first, tensors in the order given, no header padding. Returns data bytes.
   */
  private static long writeShard(Path file, List<Tensor> tensors) throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("__metadata__", Map.of("format", "mlx"));
    long offset = 0;
    for (Tensor t : tensors) {
      long nbytes = 4L * t.values().length;
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", "F32");
      entry.put("shape", t.shape());
      entry.put("data_offsets", new long[] {offset, offset + nbytes});
      header.put(t.name(), entry);
      offset += nbytes;
    }
    byte[] h = new ObjectMapper().writeValueAsBytes(header);
    ByteBuffer buf =
        ByteBuffer.allocate((int) (8 + h.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(h.length).put(h);
    for (Tensor t : tensors) {
      for (float f : t.values()) {
        buf.putFloat(f);
      }
    }
    Files.write(file, buf.array());
    return offset;
  }

  private static void writeJson(ObjectMapper json, Path file, Object value) throws IOException {
    Files.writeString(
        file,
        json.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n",
        StandardCharsets.UTF_8);
  }
}
