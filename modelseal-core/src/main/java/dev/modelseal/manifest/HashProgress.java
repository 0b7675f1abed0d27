package dev.modelseal.manifest;

/** Told how many bytes have been hashed so far; called from worker threads, must be thread-safe. */
@FunctionalInterface
public interface HashProgress {
  HashProgress NONE = (done, total) -> {};

  void update(long bytesDone, long bytesTotal);
}
