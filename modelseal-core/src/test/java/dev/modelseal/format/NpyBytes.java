package dev.modelseal.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds npy files byte by byte for tests, including malformed ones. */
public final class NpyBytes {
  private NpyBytes() {}

  /**
   * numpy's layout: version 1.0, the dict padded with spaces so data starts at a multiple of 64.
   */
  public static byte[] npy(String dict, byte[] data) {
    int unpadded = 10 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";
    return raw(1, 0, header.getBytes(StandardCharsets.ISO_8859_1), data);
  }

  /** A 2-D or other array header the way numpy writes it. */
  public static byte[] npy(String descr, boolean fortran, String shape, byte[] data) {
    return npy(
        "{'descr': '"
            + descr
            + "', 'fortran_order': "
            + (fortran ? "True" : "False")
            + ", 'shape': "
            + shape
            + ", }",
        data);
  }

  /**
   * Preamble for {@code major.minor} with the right length field, then header and data as given.
   */
  public static byte[] raw(int major, int minor, byte[] header, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, (byte) minor});
    ByteBuffer len = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
    if (major == 1) {
      len.putShort((short) header.length);
    } else {
      len.putInt(header.length);
    }
    out.writeBytes(len.array());
    out.writeBytes(header);
    out.writeBytes(data);
    return out.toByteArray();
  }

  /** A version 1.0 file with {@code header} (which must end in its own newline, or not). */
  public static byte[] raw(String header, byte[] data) {
    return raw(1, 0, header.getBytes(StandardCharsets.ISO_8859_1), data);
  }

  public static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }
}
