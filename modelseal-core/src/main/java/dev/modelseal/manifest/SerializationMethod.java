package dev.modelseal.manifest;

import java.util.Optional;

/** How a model's bytes are cut into digested resources (OMS {@code serialization.method}). */
public enum SerializationMethod {
  /** One digest per regular file. */
  FILES("files"),
  /** Each file cut into {@code [start,end)} pieces of {@code shard_size} bytes. */
  SHARDS("shards");

  private final String id;

  SerializationMethod(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static Optional<SerializationMethod> byId(String id) {
    for (SerializationMethod m : values()) {
      if (m.id.equals(id)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }
}
