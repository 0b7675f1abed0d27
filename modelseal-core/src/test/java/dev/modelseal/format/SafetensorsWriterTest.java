package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelseal.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test writer reproduces the real writers byte for byte. The expected headers are the outputs
 * of the reference crate's own serialisation tests ({@code tensor.rs}) and of {@code
 * safetensors.numpy.save} 0.8.0, and of nlohmann::json's sorted, compact dump for MLX.
 */
class SafetensorsWriterTest {
  @TempDir Path dir;

  @Test
  void huggingFace_referenceSerializationTest_sameBytes() {
    // tensor.rs test_serialization: "attn.0" F32 [1,2,3] = 0..5, header exactly 64 bytes.
    byte[] out =
        SafetensorsWriter.huggingFace()
            .f32("attn.0", new long[] {1, 2, 3}, 0f, 1f, 2f, 3f, 4f, 5f)
            .toBytes();
    String header = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
    assertThat(header).hasSize(64);
    assertThat(out).hasSize(8 + 64 + 24);
    assertThat(prefix(out)).isEqualTo(64);
    assertThat(headerOf(out)).isEqualTo(header);
    assertThat(ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).getFloat(8 + 64 + 4))
        .isEqualTo(1f);
  }

  @Test
  void huggingFace_referenceFp4Test_paddedWithFourSpaces() {
    // tensor.rs test_serialization_fp4: F4 [1,2] is one byte; header 60 + 4 spaces.
    byte[] out =
        SafetensorsWriter.huggingFace()
            .tensor("attn.0", DType.F4, new long[] {1, 2}, new byte[] {0})
            .toBytes();
    assertThat(prefix(out)).isEqualTo(64);
    assertThat(headerOf(out))
        .isEqualTo("{\"attn.0\":{\"dtype\":\"F4\",\"shape\":[1,2],\"data_offsets\":[0,1]}}    ");
    assertThat(out).hasSize(8 + 64 + 1);
  }

  @Test
  void huggingFace_referenceEmptyTest_paddedBraces() {
    // tensor.rs test_empty, without and with {"framework":"pt"}.
    assertThat(SafetensorsWriter.huggingFace().toBytes())
        .containsExactly(8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' ');
    byte[] withMetadata = SafetensorsWriter.huggingFace().metadata("framework", "pt").toBytes();
    assertThat(prefix(withMetadata)).isEqualTo(40);
    assertThat(headerOf(withMetadata)).isEqualTo("{\"__metadata__\":{\"framework\":\"pt\"}}     ");
  }

  @Test
  void huggingFace_referenceForcedAlignmentTest_sevenSpaces() {
    // tensor.rs test_serialization_forced_alignement: "attn0" F32 [1,1,2,3], header 72 bytes.
    byte[] out =
        SafetensorsWriter.huggingFace()
            .f32("attn0", new long[] {1, 1, 2, 3}, 0f, 1f, 2f, 3f, 4f, 5f)
            .toBytes();
    assertThat(prefix(out)).isEqualTo(72);
    assertThat(headerOf(out)).endsWith("]}}       ");
  }

  @Test
  void huggingFace_mixedDtypesAndNames_orderedAsThePythonPackageWrites() {
    // safetensors.numpy.save(d, metadata={"k": "v"}) with these tensors, version 0.8.0.
    String odd = "q\n\"\\\u0001\u007f";
    byte[] out =
        SafetensorsWriter.huggingFace()
            .metadata("k", "v")
            .bool("a", new long[] {1}, true)
            .tensor("b", DType.U8, new long[] {1}, new byte[] {1})
            .f32("d", new long[] {1}, 0f)
            .f32("c", new long[] {1}, 0f)
            .tensor("e", DType.U64, new long[] {1}, new byte[8])
            .tensor("Z", DType.F16, new long[] {2}, new byte[4])
            .i32("\u00e9", new long[] {1}, 0)
            .i32("\uff5a", new long[] {1}, 0)
            .i32("\ud83d\ude00", new long[] {1}, 0)
            .tensor(odd, DType.I8, new long[] {1}, new byte[1])
            .toBytes();
    String expected =
        "{\"__metadata__\":{\"k\":\"v\"},"
            + "\"e\":{\"dtype\":\"U64\",\"shape\":[1],\"data_offsets\":[0,8]},"
            + "\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
            + "\"d\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]},"
            + "\"\u00e9\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[16,20]},"
            + "\"\uff5a\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[20,24]},"
            + "\"\ud83d\ude00\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[24,28]},"
            + "\"Z\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[28,32]},"
            + "\"q\\n\\\"\\\\\\u0001\u007f\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[32,33]},"
            + "\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[33,34]},"
            + "\"a\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[34,35]}}";
    assertThat(prefix(out)).isEqualTo(592);
    assertThat(headerOf(out).stripTrailing()).isEqualTo(expected);
  }

  @Test
  void mlx_tensors_sortedKeysUnpaddedDataInInsertionOrder() {
    byte[] out =
        SafetensorsWriter.mlx()
            .f32("b", new long[] {1}, 1f)
            .tensor("a", DType.U8, new long[] {3}, new byte[] {1, 2, 3})
            .f32("Z", new long[] {1}, 2f)
            .toBytes();
    String expected =
        "{\"Z\":{\"data_offsets\":[7,11],\"dtype\":\"F32\",\"shape\":[1]},"
            + "\"__metadata__\":{\"format\":\"mlx\"},"
            + "\"a\":{\"data_offsets\":[4,7],\"dtype\":\"U8\",\"shape\":[3]},"
            + "\"b\":{\"data_offsets\":[0,4],\"dtype\":\"F32\",\"shape\":[1]}}";
    assertThat(headerOf(out)).isEqualTo(expected);
    assertThat(prefix(out)).isEqualTo(expected.length());
    assertThat(Arrays.copyOfRange(out, 8 + expected.length() + 4, 8 + expected.length() + 7))
        .containsExactly(1, 2, 3);
  }

  @Test
  void mlx_withoutMetadata_writesNullAsMlxDoes() {
    byte[] out =
        SafetensorsWriter.of(SafetensorsWriter.Style.MLX).f32("w", new long[] {}, 1f).toBytes();
    assertThat(headerOf(out))
        .isEqualTo(
            "{\"__metadata__\":null,\"w\":{\"data_offsets\":[0,4],\"dtype\":\"F32\",\"shape\":[]}}");
  }

  @Test
  void tensor_dataOfWrongLength_illegalArgument() {
    assertThatThrownBy(
            () ->
                SafetensorsWriter.huggingFace().tensor("x", DType.F32, new long[] {2}, new byte[4]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                SafetensorsWriter.huggingFace()
                    .f32("x", new long[] {1}, 1f)
                    .f32("x", new long[] {1}, 1f))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void writeSharded_mlxStyle_mlxLmIndexLayout() throws Exception {
    Path index =
        SafetensorsWriter.mlx()
            .f32("model.b", new long[] {2}, 1f, 2f)
            .f32("model.a", new long[] {1}, 3f)
            .i64("lm_head.\u00e9", new long[] {1}, 4)
            .writeSharded(dir.resolve("m"), 2);
    assertThat(Files.readString(index))
        .isEqualTo(
            """
            {
                "metadata": {
                    "total_size": 20,
                    "total_parameters": 4
                },
                "weight_map": {
                    "lm_head.\\u00e9": "model-00002-of-00002.safetensors",
                    "model.a": "model-00002-of-00002.safetensors",
                    "model.b": "model-00001-of-00002.safetensors"
                }
            }""");
    assertThat(dir.resolve("m/model-00001-of-00002.safetensors")).exists();
  }

  @Test
  void writeSharded_huggingFaceStyle_transformersIndexLayout() throws Exception {
    Path index =
        SafetensorsWriter.huggingFace()
            .f32("b", new long[] {2}, 1f, 2f)
            .f32("a", new long[] {1}, 3f)
            .writeSharded(dir.resolve("h"), 2);
    assertThat(Files.readString(index))
        .isEqualTo(
            """
            {
              "metadata": {
                "total_size": 12
              },
              "weight_map": {
                "a": "model-00002-of-00002.safetensors",
                "b": "model-00001-of-00002.safetensors"
              }
            }
            """);
  }

  private static long prefix(byte[] file) {
    return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
  }

  private static String headerOf(byte[] file) {
    return new String(file, 8, (int) prefix(file), StandardCharsets.UTF_8);
  }
}
