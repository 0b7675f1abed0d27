package dev.modelseal.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelseal.manifest.Manifest;
import dev.modelseal.manifest.ResourceDigest;
import dev.modelseal.manifest.SerializationMethod;

/**
 * The {@code verified_resources} list of {@code verify --json}: every signed resource with its
 * digest, so a consumer in another language (the Python package) can check the bytes it loads
 * against exactly what this verification matched, without parsing the OMS bundle itself.
 */
final class VerifiedResourcesJson {
  private VerifiedResourcesJson() {}

  static ArrayNode of(Manifest manifest) {
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    boolean shards = manifest.method() == SerializationMethod.SHARDS;
    for (ResourceDigest r : manifest.resources()) {
      ObjectNode n = list.addObject();
      n.put("name", r.name());
      if (shards) {
        // The verifier has already checked the name is path:start:end (last two colons).
        int c2 = r.name().lastIndexOf(':');
        int c1 = r.name().lastIndexOf(':', c2 - 1);
        n.put("path", r.name().substring(0, c1));
        n.put("start", Long.parseLong(r.name().substring(c1 + 1, c2)));
        n.put("end", Long.parseLong(r.name().substring(c2 + 1)));
      } else {
        n.put("path", r.name());
      }
      n.put("algorithm", r.digest().algorithm().id());
      n.put("digest", r.digest().hex());
    }
    return list;
  }
}
