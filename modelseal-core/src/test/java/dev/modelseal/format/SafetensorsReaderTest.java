package dev.modelseal.format;

import static dev.modelseal.format.SafetensorsWriter.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.Shape;
import dev.modelseal.tensor.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One minimal malformed input per rule, modelled on the reference crate's own list
 * (huggingface/safetensors {@code tensor.rs} tests), plus the valid edge cases.
 */
class SafetensorsReaderTest {
  /** The reference crate's test_deserialization file: one I32 [2,2] tensor of zeros. */
  private static final String REF_HEADER =
      "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";

  @TempDir Path dir;
  private int files;

  // ---------------------------------------------------------------------------- length prefix

  @Test
  void read_emptyFile_fileTooSmall() throws Exception {
    assertRejected(new byte[0], "safetensors.file-too-small");
  }

  @Test
  void read_sevenBytes_fileTooSmall() throws Exception {
    assertRejected(new byte[7], "safetensors.file-too-small");
  }

  @Test
  void read_headerLengthAboveDefaultLimit_headerTooLarge() throws Exception {
    // The reference's test_header_too_large: the length prefix is <\0\0\0\0\xff\xff\xff.
    byte[] bytes = file(REF_HEADER, new byte[16]);
    bytes[5] = bytes[6] = bytes[7] = (byte) 0xff;
    FormatException e = assertRejected(bytes, "safetensors.header-too-large");
    assertThat(e.offset()).isZero();
  }

  @Test
  void read_headerLengthTopBitSet_headerTooLarge() throws Exception {
    assertRejected(file(-1L, REF_HEADER, new byte[16]), "safetensors.header-too-large");
  }

  @Test
  void read_headerLengthAboveConfiguredLimit_headerTooLarge() throws Exception {
    ParseLimits limits = ParseLimits.builder().maxSafetensorsHeaderBytes(10).build();
    assertRejected(file(REF_HEADER, new byte[16]), limits, "safetensors.header-too-large");
  }

  @Test
  void read_headerLengthAtLimit_accepted() throws Exception {
    byte[] bytes = file(REF_HEADER, new byte[16]);
    ParseLimits limits =
        ParseLimits.builder().maxSafetensorsHeaderBytes(REF_HEADER.length()).build();
    try (SafetensorsFile f = read(bytes, limits)) {
      assertThat(f.headerLength()).isEqualTo(REF_HEADER.length());
    }
  }

  @Test
  void read_headerLengthPastEndOfFile_headerBeyondFile() throws Exception {
    // The reference's test_invalid_header_length: a prefix of 60 and nothing after it.
    assertRejected(file(60, "", new byte[0]), "safetensors.header-beyond-file");
  }

  @Test
  void read_truncatedAtEveryByte_rejectedByTheRuleOfThatRegion() throws Exception {
    for (SafetensorsWriter w : List.of(smallHf(), smallMlx())) {
      byte[] whole = w.toBytes();
      long n = ByteBuffer.wrap(whole).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
      for (int cut = 0; cut < whole.length; cut++) {
        String expected =
            cut < 8
                ? "safetensors.file-too-small"
                : cut < 8 + n ? "safetensors.header-beyond-file" : "safetensors.data-truncated";
        assertRejected(Arrays.copyOf(whole, cut), expected);
      }
    }
  }

  @Test
  void read_headerJsonCutAtEveryCharacter_headerNotJson() throws Exception {
    String header = smallHf().headerJson().strip();
    for (int cut = 0; cut < header.length(); cut++) {
      assertRejected(file(header.substring(0, cut), new byte[0]), "safetensors.header-not-json");
    }
  }

  // ---------------------------------------------------------------------------- UTF-8, JSON

  @Test
  void read_invalidUtf8_headerNotUtf8AtTheBadByte() throws Exception {
    // The reference's test_invalid_header_non_utf8, placed after a valid prefix.
    byte[] bytes = file("{\"a?\":1}", new byte[0]);
    bytes[8 + 3] = (byte) 0xff;
    FormatException e = assertRejected(bytes, "safetensors.header-not-utf8");
    assertThat(e.offset()).isEqualTo(11);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "c0af", // overlong '/'
        "eda080", // a surrogate encoded in UTF-8 (CESU-8)
        "f4908080", // above U+10FFFF
        "e282", // a sequence cut short by the end of the header
      })
  void read_malformedUtf8Sequence_headerNotUtf8(String hex) throws Exception {
    byte[] bad = java.util.HexFormat.of().parseHex(hex);
    byte[] json = ("{\"" + "x".repeat(bad.length) + "\":1}").getBytes(StandardCharsets.UTF_8);
    System.arraycopy(bad, 0, json, 2, bad.length);
    if (hex.equals("e282")) {
      json = Arrays.copyOf(json, 4); // {"\xe2\x82 and nothing more
    }
    assertRejected(prefixed(json), "safetensors.header-not-utf8");
  }

  @Test
  void read_multiByteNamesAndMetadata_decodedExactly() throws Exception {
    SafetensorsWriter w =
        SafetensorsWriter.huggingFace()
            .metadata("note", "gewichte \u00fc \u4e2d \ud83d\ude00")
            .f32("\u00e9\u00e8.\ud83d\ude00", new long[] {1}, 1f);
    try (SafetensorsFile f = read(w.toBytes())) {
      assertThat(f.tensors().getFirst().name()).isEqualTo("\u00e9\u00e8.\ud83d\ude00");
      assertThat(f.stringMetadata()).containsEntry("note", "gewichte \u00fc \u4e2d \ud83d\ude00");
    }
  }

  @Test
  void read_emptyHeader_headerNotJson() throws Exception {
    assertRejected(file("", new byte[0]), "safetensors.header-not-json");
  }

  @Test
  void read_whitespaceOnlyHeader_headerNotJson() throws Exception {
    assertRejected(file(" \n\t ", new byte[0]), "safetensors.header-not-json");
  }

  @Test
  void read_unclosedObject_headerNotJson() throws Exception {
    // The reference's test_invalid_header_not_json.
    assertRejected(file("{", new byte[0]), "safetensors.header-not-json");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}{}",
        "{} x",
        "{}\u0000\u0000",
        "\ufeff{}",
        "{/* c */}",
        "{'a':{}}",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[NaN],\"data_offsets\":[0,0]}}",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[+1],\"data_offsets\":[0,4]}}",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,],\"data_offsets\":[0,4]}}",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},}",
        "{\"a\u0001\":{}}",
      })
  void read_nonStandardOrTrailingJson_headerNotJson(String header) throws Exception {
    assertRejected(file(header, new byte[4]), "safetensors.header-not-json");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "1", "\"x\"", "null", "true"})
  void read_headerNotAnObject_headerNotObject(String header) throws Exception {
    assertRejected(file(header, new byte[0]), "safetensors.header-not-object");
  }

  @Test
  void read_trailingJsonWhitespace_acceptedWithoutWarning() throws Exception {
    // The reference's test_whitespace_padded_header.
    try (SafetensorsFile f = read(file("{}\r \t\n", new byte[0]))) {
      assertThat(f.tensors()).isEmpty();
      assertThat(f.warnings()).isEmpty();
    }
  }

  @Test
  void read_leadingJsonWhitespace_acceptedWithWarning() throws Exception {
    // The reference's test_whitespace_leading_padded_header.
    try (SafetensorsFile f = read(file("\t\n{}\r ", new byte[0]))) {
      assertThat(f.tensors()).isEmpty();
      assertThat(f.warnings())
          .extracting(Problem::rule)
          .containsExactly("safetensors.header-leading-whitespace");
    }
  }

  @Test
  void read_numberLiteralOfThousandsOfDigits_tokenTooLong() throws Exception {
    String header =
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[" + "9".repeat(2000) + "],\"data_offsets\":[0,0]}}";
    assertRejected(file(header, new byte[0]), "safetensors.header-token-too-long");
  }

  // ---------------------------------------------------------------------------- duplicates

  @Test
  void read_tensorNameTwice_duplicateKey() throws Exception {
    String header =
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
            + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}";
    FormatException e =
        assertRejected(file(header, new byte[2]), "safetensors.header-duplicate-key");
    assertThat(e.location()).contains("a");
  }

  @Test
  void read_fieldTwiceInEntry_duplicateKey() throws Exception {
    String header =
        "{\"a\":{\"dtype\":\"U8\",\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    assertRejected(file(header, new byte[1]), "safetensors.header-duplicate-key");
  }

  @Test
  void read_metadataTwice_duplicateKey() throws Exception {
    assertRejected(
        file("{\"__metadata__\":{},\"__metadata__\":{}}", new byte[0]),
        "safetensors.header-duplicate-key");
  }

  @Test
  void read_metadataKeyTwice_duplicateKey() throws Exception {
    assertRejected(
        file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", new byte[0]),
        "safetensors.header-duplicate-key");
  }

  @Test
  void read_sameNameOnceEscapedOnceNot_duplicateKey() throws Exception {
    // Keys are compared after unescaping, as every JSON reader sees them.
    String header =
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
            + "\"\\u0061\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}";
    assertRejected(file(header, new byte[2]), "safetensors.header-duplicate-key");
  }

  @Test
  void read_loneSurrogateEscape_loneSurrogate() throws Exception {
    String header = "{\"\\ud800\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    assertRejected(file(header, new byte[1]), "safetensors.header-lone-surrogate");
  }

  @Test
  void read_lowSurrogateFirstInMetadataValue_loneSurrogate() throws Exception {
    assertRejected(
        file("{\"__metadata__\":{\"k\":\"\\udc00\\ud800\"}}", new byte[0]),
        "safetensors.header-lone-surrogate");
  }

  @Test
  void read_pairedSurrogateEscape_accepted() throws Exception {
    String header = "{\"\\ud83d\\ude00\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    try (SafetensorsFile f = read(file(header, new byte[1]))) {
      assertThat(f.tensors().getFirst().name()).isEqualTo("\ud83d\ude00");
    }
  }

  // ---------------------------------------------------------------------------- entries

  @ParameterizedTest
  @ValueSource(strings = {"F128", "f32", "float32", "Q4_0", "V2", "C128", ""})
  void read_unknownDtype_unknownDtype(String dtype) throws Exception {
    String header = "{\"a\":{\"dtype\":\"" + dtype + "\",\"shape\":[],\"data_offsets\":[0,0]}}";
    assertRejected(file(header, new byte[0]), "safetensors.unknown-dtype");
  }

  @ParameterizedTest
  @ValueSource(strings = {"offsets", "name", "Dtype", "data_offsets ", "__metadata__"})
  void read_unknownFieldInEntry_unknownField(String field) throws Exception {
    String header =
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"" + field + "\":0}}";
    assertRejected(file(header, new byte[1]), "safetensors.unknown-field");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\":{\"shape\":[1],\"data_offsets\":[0,1]}}",
        "{\"a\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}",
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1]}}",
        "{\"a\":{}}",
      })
  void read_entryWithoutARequiredField_missingField(String header) throws Exception {
    assertRejected(file(header, new byte[1]), "safetensors.missing-field");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "[]", "\"U8\"", "null"})
  void read_entryNotAnObject_entryNotObject(String entry) throws Exception {
    assertRejected(file("{\"a\":" + entry + "}", new byte[0]), "safetensors.entry-not-object");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"dtype\":1,\"shape\":[1],\"data_offsets\":[0,1]",
        "\"dtype\":[\"U8\"],\"shape\":[1],\"data_offsets\":[0,1]",
        "\"dtype\":\"U8\",\"shape\":1,\"data_offsets\":[0,1]",
        "\"dtype\":\"U8\",\"shape\":null,\"data_offsets\":[0,1]",
        "\"dtype\":\"U8\",\"shape\":[\"1\"],\"data_offsets\":[0,1]",
        "\"dtype\":\"U8\",\"shape\":[[1]],\"data_offsets\":[0,1]",
        "\"dtype\":\"U8\",\"shape\":[true],\"data_offsets\":[0,1]",
        "\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":{\"0\":1}",
        "\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,null]",
      })
  void read_fieldOfTheWrongJsonType_fieldType(String fields) throws Exception {
    assertRejected(file("{\"a\":{" + fields + "}}", new byte[1]), "safetensors.field-type");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.0", "1e3", "1E3", "1.5", "0.0", "2e0", "1.0e1"})
  void read_fractionalOrExponentNumber_notAnInteger(String number) throws Exception {
    String inShape = "{\"a\":{\"dtype\":\"U8\",\"shape\":[" + number + "],\"data_offsets\":[0,1]}}";
    assertRejected(file(inShape, new byte[1]), "safetensors.not-an-integer");
    String inOffsets =
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0," + number + "]}}";
    assertRejected(file(inOffsets, new byte[1]), "safetensors.not-an-integer");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "-0", "-9223372036854775808"})
  void read_negativeNumber_negativeNumber(String number) throws Exception {
    String inShape = "{\"a\":{\"dtype\":\"U8\",\"shape\":[" + number + "],\"data_offsets\":[0,0]}}";
    assertRejected(file(inShape, new byte[0]), "safetensors.negative-number");
    String inOffsets =
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[" + number + ",0]}}";
    assertRejected(file(inOffsets, new byte[0]), "safetensors.negative-number");
  }

  @ParameterizedTest
  @ValueSource(strings = {"9223372036854775808", "18446744073709551614", "18446744073709551616"})
  void read_numberAboveLongMax_numberTooLarge(String number) throws Exception {
    // The first element of the reference's test_validation_overflow is [2,18446744073709551614].
    String inShape =
        "{\"a\":{\"dtype\":\"I32\",\"shape\":[2," + number + "],\"data_offsets\":[0,16]}}";
    assertRejected(file(inShape, new byte[16]), "safetensors.number-too-large");
    String inOffsets =
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[" + number + ",0]}}";
    assertRejected(file(inOffsets, new byte[1]), "safetensors.number-too-large");
  }

  @Test
  void read_offsetsNearLongMax_rejectedWithoutOverflow() throws Exception {
    // Sixteen contiguous tensors of up to 2^59 bytes bring the data cursor to 2^63 - 101; a gap
    // there lies beyond any absolute offset, which the message must survive.
    long chunk = 1L << 59;
    StringBuilder header = new StringBuilder("{");
    long cursor = 0;
    for (int i = 0; i < 16; i++) {
      long size = i < 15 ? chunk : chunk - 101;
      header.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"U8\",");
      header.append("\"shape\":[").append(size).append("],\"data_offsets\":[");
      header.append(cursor).append(',').append(cursor + size).append("]}");
      cursor += size;
    }
    assertThat(cursor).isEqualTo(Long.MAX_VALUE - 100);
    header.append(",\"z\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[");
    header.append(Long.MAX_VALUE - 50).append(',').append(Long.MAX_VALUE - 49).append("]}}");
    FormatException e =
        assertRejected(file(header.toString(), new byte[0]), "safetensors.offsets-not-contiguous");
    assertThat(e.offset()).isEqualTo(-1);
    assertThat(e.location()).contains("z");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "[0]", "[0,1,2]", "[0,1,2,3,4,5,6,7,8,9,10]"})
  void read_dataOffsetsNotTwoEntries_dataOffsetsNotPair(String offsets) throws Exception {
    String header = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":" + offsets + "}}";
    assertRejected(file(header, new byte[1]), "safetensors.data-offsets-not-pair");
  }

  @Test
  void read_beginAfterEnd_offsetsReversed() throws Exception {
    String header = "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[1,0]}}";
    assertRejected(file(header, new byte[1]), "safetensors.offsets-reversed");
  }

  // ---------------------------------------------------------------------------- __metadata__

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[]",
        "\"format\"",
        "1",
        "true",
        "{\"k\":1}",
        "{\"k\":null}",
        "{\"k\":[\"v\"]}",
        "{\"k\":{\"nested\":\"v\"}}",
        "{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}",
      })
  void read_metadataNotAStringMap_metadataNotStringMap(String value) throws Exception {
    assertRejected(
        file("{\"__metadata__\":" + value + "}", new byte[1]),
        "safetensors.metadata-not-string-map");
  }

  @Test
  void read_metadataNull_acceptedAsNoMetadata() throws Exception {
    // What mx.save_safetensors writes when it is given no metadata.
    try (SafetensorsFile f =
        read(
            SafetensorsWriter.of(SafetensorsWriter.Style.MLX)
                .f32("w", new long[] {2}, 1f, 2f)
                .toBytes())) {
      assertThat(f.metadata()).isEmpty();
      assertThat(f.tensors()).hasSize(1);
    }
  }

  @Test
  void read_metadata_keptInHeaderOrder() throws Exception {
    String header = "{\"__metadata__\":{\"z\":\"1\",\"a\":\"2\",\"m\":\"\"}}";
    try (SafetensorsFile f = read(file(header, new byte[0]))) {
      assertThat(f.stringMetadata())
          .containsExactly(Map.entry("z", "1"), Map.entry("a", "2"), Map.entry("m", ""));
      assertThat(f.metadata()).isEqualTo(Map.of("z", "1", "a", "2", "m", ""));
      assertThat(f.metadata().keySet()).containsExactly("z", "a", "m");
    }
  }

  // ---------------------------------------------------------------------------- sizes

  @Test
  void read_elementCountOverflows_shapeOverflow() throws Exception {
    // The second element of the reference's test_validation_overflow.
    String header =
        "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,9223372036854775807],"
            + "\"data_offsets\":[0,16]}}";
    assertRejected(file(header, new byte[16]), "safetensors.shape-overflow");
  }

  @Test
  void read_elementCountTimesBitsOverflows_shapeOverflow() throws Exception {
    // 2^60 elements fit; 2^60 * 32 bits do not.
    String header =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1152921504606846976],\"data_offsets\":[0,4]}}";
    assertRejected(file(header, new byte[4]), "safetensors.shape-overflow");
  }

  @Test
  void read_overflowBeforeAZeroDimension_shapeOverflow() throws Exception {
    // The reference multiplies left to right and fails before it reaches the 0; so do we.
    String header =
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296,0],\"data_offsets\":[0,0]}}";
    assertRejected(file(header, new byte[0]), "safetensors.shape-overflow");
  }

  @Test
  void read_oddF4Count_subByteMisaligned() throws Exception {
    // The reference's test_serialization_fp4_misaligned: F4 [1,3] is 12 bits.
    String header = "{\"a\":{\"dtype\":\"F4\",\"shape\":[1,3],\"data_offsets\":[0,2]}}";
    assertRejected(file(header, new byte[2]), "safetensors.sub-byte-misaligned");
  }

  @Test
  void read_f6CountNotMultipleOfFour_subByteMisaligned() throws Exception {
    String header = "{\"a\":{\"dtype\":\"F6_E2M3\",\"shape\":[2],\"data_offsets\":[0,2]}}";
    assertRejected(file(header, new byte[2]), "safetensors.sub-byte-misaligned");
  }

  @Test
  void read_bytesDoNotMatchShape_sizeMismatch() throws Exception {
    // The reference's test_invalid_info: I32 [2,2] needs 16 bytes, offsets give 4.
    String header = "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,4]}}";
    FormatException e = assertRejected(file(header, new byte[4]), "safetensors.size-mismatch");
    assertThat(e.location()).contains("test");
    assertThat(e.offset()).isEqualTo(9); // the key "test", right after '{'
  }

  @Test
  void read_f4BytesDoNotMatchShape_sizeMismatch() throws Exception {
    // The reference's test_serialization_fp4_invalid: F4 [1,2] is one byte, not two.
    String header = "{\"a\":{\"dtype\":\"F4\",\"shape\":[1,2],\"data_offsets\":[0,2]}}";
    assertRejected(file(header, new byte[2]), "safetensors.size-mismatch");
  }

  // ---------------------------------------------------------------------------- tiling

  @Test
  void read_firstTensorNotAtZero_offsetsNotContiguous() throws Exception {
    String header = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}";
    assertRejected(file(header, new byte[2]), "safetensors.offsets-not-contiguous");
  }

  @Test
  void read_gapBetweenTensors_offsetsNotContiguous() throws Exception {
    String header =
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
            + "\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[2,3]}}";
    FormatException e =
        assertRejected(file(header, new byte[3]), "safetensors.offsets-not-contiguous");
    assertThat(e.location()).contains("b");
    assertThat(e.getMessage()).contains("gap of 1 bytes");
  }

  @Test
  void read_overlappingTensors_offsetsNotContiguous() throws Exception {
    String header =
        "{\"a\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[0,2]},"
            + "\"b\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[1,3]}}";
    FormatException e =
        assertRejected(file(header, new byte[3]), "safetensors.offsets-not-contiguous");
    assertThat(e.getMessage()).contains("overlaps");
  }

  @Test
  void read_twoTensorsSharingBytes_offsetsNotContiguous() throws Exception {
    String header =
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
            + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}";
    assertRejected(file(header, new byte[2]), "safetensors.offsets-not-contiguous");
  }

  @Test
  void read_bytesAfterLastTensor_trailingBytes() throws Exception {
    // The reference's test_metadata_incomplete_buffer, first half: a polyglot tail.
    byte[] data = new byte[16 + 34];
    byte[] tail = "extra_bogus_data_for_polyglot_file".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(tail, 0, data, 16, tail.length);
    FormatException e = assertRejected(file(REF_HEADER, data), "safetensors.trailing-bytes");
    assertThat(e.offset()).isEqualTo(8 + REF_HEADER.length() + 16);
  }

  @Test
  void read_dataShorterThanDeclared_dataTruncated() throws Exception {
    // The reference's test_metadata_incomplete_buffer, second half: two bytes missing.
    assertRejected(file(REF_HEADER, new byte[14]), "safetensors.data-truncated");
  }

  @Test
  void read_noTensorsButData_trailingBytes() throws Exception {
    assertRejected(file("{}", new byte[1]), "safetensors.trailing-bytes");
  }

  // ---------------------------------------------------------------------------- limits

  @Test
  void read_rankAboveDefaultLimit_limitMaxRank() throws Exception {
    String dims = String.join(",", java.util.Collections.nCopies(65, "1"));
    String header = "{\"a\":{\"dtype\":\"U8\",\"shape\":[" + dims + "],\"data_offsets\":[0,1]}}";
    FormatException e = assertRejected(file(header, new byte[1]), "limit.max-rank");
    assertThat(e).isInstanceOf(LimitExceededException.class);
  }

  @Test
  void read_rankAtConfiguredLimit_accepted() throws Exception {
    String header = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1,1,1],\"data_offsets\":[0,1]}}";
    try (SafetensorsFile f = read(file(header, new byte[1]), limits().maxRank(3).build())) {
      assertThat(f.tensors().getFirst().shape()).isEqualTo(Shape.of(1, 1, 1));
    }
    assertRejected(file(header, new byte[1]), limits().maxRank(2).build(), "limit.max-rank");
  }

  @Test
  void read_moreTensorsThanLimit_limitMaxTensors() throws Exception {
    byte[] bytes = smallHf().toBytes(); // three tensors
    try (SafetensorsFile f = read(bytes, limits().maxTensors(3).build())) {
      assertThat(f.tensors()).hasSize(3);
    }
    assertRejected(bytes, limits().maxTensors(2).build(), "limit.max-tensors");
  }

  @Test
  void read_moreMetadataEntriesThanLimit_limitMaxMetadataEntries() throws Exception {
    byte[] bytes = file("{\"__metadata__\":{\"a\":\"1\",\"b\":\"2\"}}", new byte[0]);
    assertRejected(bytes, limits().maxMetadataEntries(1).build(), "limit.max-metadata-entries");
  }

  @Test
  void read_deeplyNestedValue_rejectedWithoutRecursion() throws Exception {
    // Nesting is refused at its first level: the reader knows where containers may appear.
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertRejected(
        file("{\"__metadata__\":" + deep + "}", new byte[0]),
        "safetensors.metadata-not-string-map");
    assertRejected(file("{\"a\":{\"dtype\":" + deep + "}}", new byte[0]), "safetensors.field-type");
    assertRejected(file("{\"a\":{\"x\":" + deep + "}}", new byte[0]), "safetensors.unknown-field");
  }

  // ---------------------------------------------------------------------------- valid files

  @Test
  void read_referenceDeserializationExample_oneTensor() throws Exception {
    try (SafetensorsFile f = read(file(REF_HEADER, new byte[16]))) {
      assertThat(f.format()).isEqualTo(WeightFormat.SAFETENSORS);
      assertThat(f.headerLength()).isEqualTo(REF_HEADER.length());
      assertThat(f.dataOffset()).isEqualTo(8 + REF_HEADER.length());
      assertThat(f.tensors())
          .containsExactly(
              new TensorInfo("test", DType.I32, Shape.of(2, 2), 8 + REF_HEADER.length(), 16));
      assertThat(f.metadata()).isEmpty();
      assertThat(f.warnings()).isEmpty();
    }
  }

  @Test
  void read_rankZeroTensor_accepted() throws Exception {
    // The reference's test_empty_shapes_allowed.
    String header = "{\"test\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[0,4]}}";
    try (SafetensorsFile f = read(file(header, new byte[] {7, 0, 0, 0}))) {
      TensorInfo t = f.tensors().getFirst();
      assertThat(t.shape().rank()).isZero();
      assertThat(t.nbytes()).isEqualTo(4);
      assertThat(f.storedBytes(t).toArray(ValueLayout.JAVA_BYTE)).containsExactly(7, 0, 0, 0);
    }
  }

  @Test
  void read_zeroSizeTensor_accepted() throws Exception {
    // The reference's test_zero_sized_tensor.
    String header = "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,0],\"data_offsets\":[0, 0]}}";
    try (SafetensorsFile f = read(file(header, new byte[0]))) {
      TensorInfo t = f.tensors().getFirst();
      assertThat(t.shape()).isEqualTo(Shape.of(2, 0));
      assertThat(t.nbytes()).isZero();
      List<ByteBuffer> chunks = new ArrayList<>();
      f.readCanonical(t, chunks::add);
      assertThat(chunks).isEmpty();
    }
  }

  @Test
  void read_zeroSizeTensorsAmongOthers_keepHeaderOrderAtTheirOffset() throws Exception {
    String header =
        "{\"z2\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
            + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"z1\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[4,4]}}";
    try (SafetensorsFile f = read(file(header, new byte[6]))) {
      assertThat(f.tensors()).extracting(TensorInfo::name).containsExactly("a", "z2", "z1", "b");
    }
  }

  @Test
  void read_subByteDtypes_accepted() throws Exception {
    // The reference's test_serialization_fp4: F4 [1,2] is one byte; F6 [4] is three.
    String header =
        "{\"a\":{\"dtype\":\"F4\",\"shape\":[1,2],\"data_offsets\":[0,1]},"
            + "\"b\":{\"dtype\":\"F6_E2M3\",\"shape\":[4],\"data_offsets\":[1,4]},"
            + "\"c\":{\"dtype\":\"F6_E3M2\",\"shape\":[2,4],\"data_offsets\":[4,10]}}";
    try (SafetensorsFile f = read(file(header, new byte[10]))) {
      assertThat(f.tensors()).extracting(TensorInfo::nbytes).containsExactly(1L, 3L, 6L);
      assertThat(f.tensors())
          .extracting(TensorInfo::dtype)
          .containsExactly(DType.F4, DType.F6_E2M3, DType.F6_E3M2);
    }
  }

  @Test
  void read_everySafetensorsDtype_accepted() throws Exception {
    SafetensorsWriter w = SafetensorsWriter.huggingFace();
    int seed = 0;
    for (DType d : DType.safetensorsTypes()) {
      w.pattern(d.tag().toLowerCase(java.util.Locale.ROOT), d, new long[] {2, 4}, seed++);
    }
    try (SafetensorsFile f = read(w.toBytes())) {
      assertThat(f.tensors())
          .extracting(TensorInfo::dtype)
          .containsExactlyInAnyOrderElementsOf(DType.safetensorsTypes());
    }
  }

  @Test
  void read_tensorsListedOutOfOrder_returnedInOffsetOrderWithAbsoluteOffsets() throws Exception {
    SafetensorsWriter w =
        SafetensorsWriter.mlx()
            .f32("zeta", new long[] {2}, 1f, 2f)
            .i64("alpha", new long[] {1}, 5L)
            .bool("mid", new long[] {3}, true, false, true);
    try (SafetensorsFile f = read(w.toBytes())) {
      long base = f.dataOffset();
      assertThat(f.tensors())
          .containsExactly(
              new TensorInfo("zeta", DType.F32, Shape.of(2), base, 8),
              new TensorInfo("alpha", DType.I64, Shape.of(1), base + 8, 8),
              new TensorInfo("mid", DType.BOOL, Shape.of(3), base + 16, 3));
      assertThat(f.stringMetadata()).containsExactly(Map.entry("format", "mlx"));
      assertThat(f.tensor("alpha")).contains(f.tensors().get(1));
      assertThat(f.tensor("nope")).isEmpty();
    }
  }

  @Test
  void read_emptyAndControlCharacterNames_acceptedAndPrintedOnOneLine() throws Exception {
    // The reference accepts any string as a name, the empty one included.
    String header =
        "{\"\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
            + "\"a\\nb\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,3]}}";
    FormatException e = assertRejected(file(header, new byte[3]), "safetensors.size-mismatch");
    assertThat(e.getMessage()).contains("a\\x0ab");
    String valid = header.replace("[1,3]", "[1,2]");
    try (SafetensorsFile f = read(file(valid, new byte[2]))) {
      assertThat(f.tensors()).extracting(TensorInfo::name).containsExactly("", "a\nb");
    }
  }

  @Test
  void read_dimensionAboveInt32_acceptedWithWarning() throws Exception {
    String header =
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[0,2147483648],\"data_offsets\":[0,0]},"
            + "\"b\":{\"dtype\":\"U8\",\"shape\":[2147483647,0],\"data_offsets\":[0,0]}}";
    try (SafetensorsFile f = read(file(header, new byte[0]))) {
      assertThat(f.warnings())
          .extracting(Problem::rule)
          .containsExactly("safetensors.dimension-above-int32");
      assertThat(f.warnings().getFirst().message()).contains("'a'");
    }
  }

  @Test
  void read_sparseFileOfTwentyGigabytes_validatesFromTheHeaderAlone() throws Exception {
    long size = 20_000_000_000L;
    String header =
        "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + size + "],\"data_offsets\":[0," + size + "]}}";
    Path p = dir.resolve("sparse.safetensors");
    Files.write(p, file(header, new byte[0]));
    try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
      raf.setLength(8 + header.length() + size);
    }
    try (SafetensorsFile f = SafetensorsReader.open(p, ParseLimits.defaults())) {
      assertThat(f.tensors().getFirst().nbytes()).isEqualTo(size);
      assertThat(f.storedBytes(f.tensors().getFirst()).byteSize()).isEqualTo(size);
    }
  }

  // ---------------------------------------------------------------------------- data access

  @Test
  void storedBytes_tensor_isReadOnlySliceOfTheFile() throws Exception {
    try (SafetensorsFile f = read(smallHf().toBytes())) {
      for (TensorInfo t : f.tensors()) {
        MemorySegment s = f.storedBytes(t);
        assertThat(s.isReadOnly()).isTrue();
        assertThat(s.byteSize()).isEqualTo(t.nbytes());
        assertThat(s.toArray(ValueLayout.JAVA_BYTE))
            .isEqualTo(
                f.source()
                    .segment()
                    .asSlice(t.offset(), t.nbytes())
                    .toArray(ValueLayout.JAVA_BYTE));
      }
    }
  }

  @Test
  void storedBytes_tensorOfAnotherFile_illegalArgument() throws Exception {
    try (SafetensorsFile f = read(smallHf().toBytes())) {
      TensorInfo own = f.tensors().getFirst();
      TensorInfo foreign =
          new TensorInfo(own.name(), own.dtype(), own.shape(), own.offset() + 1, own.nbytes());
      assertThatThrownBy(() -> f.storedBytes(foreign)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void readCanonical_tensors_streamTheStoredBytesLittleEndian() throws Exception {
    SafetensorsWriter w =
        SafetensorsWriter.huggingFace()
            .f32("w", new long[] {2}, 1.5f, -2f)
            .i64("n", new long[] {1}, 7);
    try (SafetensorsFile f = read(w.toBytes())) {
      TensorInfo t = f.tensor("w").orElseThrow();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      f.readCanonical(
          t,
          chunk -> {
            assertThat(chunk.isReadOnly()).isTrue();
            assertThat(chunk.getFloat(0)).isEqualTo(1.5f);
            byte[] b = new byte[chunk.remaining()];
            chunk.get(b);
            out.writeBytes(b);
          });
      assertThat(out.toByteArray()).isEqualTo(f.storedBytes(t).toArray(ValueLayout.JAVA_BYTE));
    }
  }

  @Test
  void readCanonical_tensorLargerThanAChunk_streamsChunksOfAtMost8MiB() throws Exception {
    int size = (int) SafetensorsFile.CHUNK_BYTES * 2 + 3;
    SafetensorsWriter w =
        SafetensorsWriter.huggingFace().pattern("big", DType.U8, new long[] {size}, 5);
    try (SafetensorsFile f = read(w.toBytes())) {
      TensorInfo t = f.tensors().getFirst();
      List<Integer> sizes = new ArrayList<>();
      java.security.MessageDigest streamed = java.security.MessageDigest.getInstance("SHA-256");
      f.readCanonical(
          t,
          chunk -> {
            sizes.add(chunk.remaining());
            streamed.update(chunk);
          });
      assertThat(sizes)
          .containsExactly((int) SafetensorsFile.CHUNK_BYTES, (int) SafetensorsFile.CHUNK_BYTES, 3);
      java.security.MessageDigest whole = java.security.MessageDigest.getInstance("SHA-256");
      whole.update(f.storedBytes(t).asByteBuffer());
      assertThat(streamed.digest()).isEqualTo(whole.digest());
    }
  }

  @Test
  void readCanonical_boolZerosAndOnes_accepted() throws Exception {
    boolean[] values = new boolean[37];
    for (int i = 0; i < values.length; i++) {
      values[i] = i % 3 == 0;
    }
    try (SafetensorsFile f =
        read(SafetensorsWriter.huggingFace().bool("m", new long[] {37}, values).toBytes())) {
      int[] total = {0};
      f.readCanonical(f.tensors().getFirst(), chunk -> total[0] += chunk.remaining());
      assertThat(total[0]).isEqualTo(37);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 7, 8, 20, 36})
  void readCanonical_boolByteOtherThan0Or1_boolNot0Or1AtItsOffset(int position) throws Exception {
    byte[] data = new byte[37];
    data[position] = 2;
    data[36 - position] = data[36 - position] == 0 ? (byte) 1 : data[36 - position];
    byte[] bytes =
        SafetensorsWriter.huggingFace().tensor("m", DType.BOOL, new long[] {37}, data).toBytes();
    try (SafetensorsFile f = read(bytes)) {
      TensorInfo t = f.tensors().getFirst();
      List<ByteBuffer> handedOut = new ArrayList<>();
      assertThatThrownBy(() -> f.readCanonical(t, handedOut::add))
          .isInstanceOfSatisfying(
              FormatException.class,
              e -> {
                assertThat(e.rule()).isEqualTo("safetensors.bool-not-0-or-1");
                assertThat(e.offset()).isEqualTo(t.offset() + position);
                assertThat(e.location()).contains("m");
              });
      assertThat(handedOut).isEmpty();
    }
  }

  @Test
  void readCanonical_boolByte0xff_boolNot0Or1() throws Exception {
    byte[] bytes =
        SafetensorsWriter.huggingFace()
            .tensor("m", DType.BOOL, new long[] {2}, new byte[] {1, (byte) 0xff})
            .toBytes();
    try (SafetensorsFile f = read(bytes)) {
      assertThatThrownBy(() -> f.readCanonical(f.tensors().getFirst(), c -> {}))
          .hasMessageContaining("0xff")
          .isInstanceOfSatisfying(
              FormatException.class,
              e -> assertThat(e.rule()).isEqualTo("safetensors.bool-not-0-or-1"));
    }
  }

  @Test
  void readCanonical_u8ByteOf2_accepted() throws Exception {
    byte[] bytes =
        SafetensorsWriter.huggingFace()
            .tensor("m", DType.U8, new long[] {2}, new byte[] {2, (byte) 0xff})
            .toBytes();
    try (SafetensorsFile f = read(bytes)) {
      int[] total = {0};
      f.readCanonical(f.tensors().getFirst(), chunk -> total[0] += chunk.remaining());
      assertThat(total[0]).isEqualTo(2);
    }
  }

  // ---------------------------------------------------------------------------- recognizes

  @Test
  void recognizes_safetensorsAndOtherFormats_onlySafetensors() throws Exception {
    assertThat(recognizes(smallHf().toBytes())).isTrue();
    assertThat(recognizes(smallMlx().toBytes())).isTrue();
    assertThat(recognizes(file("  \n{}", new byte[0]))).isTrue();
    assertThat(recognizes("\u0093NUMPY\u0001\u0000".getBytes(StandardCharsets.ISO_8859_1)))
        .isFalse();
    assertThat(
            recognizes(
                "GGUF\u0003\u0000\u0000\u0000\u0000\u0000\u0000\u0000"
                    .getBytes(StandardCharsets.US_ASCII)))
        .isFalse();
    assertThat(recognizes(file("[]", new byte[0]))).isFalse();
    assertThat(recognizes(file(1000, "{}", new byte[0]))).isFalse();
    assertThat(recognizes(new byte[9])).isFalse();
  }

  // ---------------------------------------------------------------------------- helpers

  /** Three tensors of three dtypes, with metadata, HF layout. */
  static SafetensorsWriter smallHf() {
    return SafetensorsWriter.huggingFace()
        .metadata("format", "pt")
        .f32("layer.weight", new long[] {2, 2}, 1f, 2f, 3f, 4f)
        .i64("layer.steps", new long[] {}, 42L)
        .bool("layer.mask", new long[] {3}, true, false, true);
  }

  /** The same tensors, MLX layout. */
  static SafetensorsWriter smallMlx() {
    return SafetensorsWriter.mlx()
        .f32("layer.weight", new long[] {2, 2}, 1f, 2f, 3f, 4f)
        .i64("layer.steps", new long[] {}, 42L)
        .bool("layer.mask", new long[] {3}, true, false, true);
  }

  private static ParseLimits.Builder limits() {
    return ParseLimits.builder();
  }

  private static byte[] prefixed(byte[] json) {
    ByteBuffer b = ByteBuffer.allocate(8 + json.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    return b.putLong(json.length).put(json).array();
  }

  private Path write(byte[] bytes) throws IOException {
    Path p = dir.resolve("f" + files++ + ".safetensors");
    Files.write(p, bytes);
    return p;
  }

  private SafetensorsFile read(byte[] bytes) throws Exception {
    return read(bytes, ParseLimits.defaults());
  }

  private SafetensorsFile read(byte[] bytes, ParseLimits limits) throws Exception {
    return SafetensorsReader.open(write(bytes), limits);
  }

  private boolean recognizes(byte[] bytes) throws Exception {
    try (ModelFile f = ModelFile.open(write(bytes))) {
      return SafetensorsReader.recognizes(f);
    }
  }

  private FormatException assertRejected(byte[] bytes, String rule) throws Exception {
    return assertRejected(bytes, ParseLimits.defaults(), rule);
  }

  private FormatException assertRejected(byte[] bytes, ParseLimits limits, String rule)
      throws Exception {
    Path p = write(bytes);
    try (SafetensorsFile unexpected = SafetensorsReader.open(p, limits)) {
      throw new AssertionError("accepted, expected " + rule + ": " + unexpected.tensors());
    } catch (FormatException e) {
      assertThat(e.rule()).as(e.getMessage()).isEqualTo(rule);
      assertThat(e.getMessage()).doesNotContain("\n").contains("[" + rule + "]");
      assertThat(e.file()).contains(p);
      return e;
    }
  }
}
