package dev.modelseal.format;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Receives a tensor's canonical bytes (C order, every scalar little-endian, inflated) in order, one
 * chunk at a time. The buffer is only valid during the call; consume or copy it before returning.
 */
@FunctionalInterface
public interface CanonicalSink {
  void accept(ByteBuffer chunk) throws IOException;
}
