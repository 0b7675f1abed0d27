package dev.modelseal.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.modelseal.ModelSealException;
import dev.modelseal.OneLine;
import dev.modelseal.digest.DigestEngine;
import dev.modelseal.digest.TensorDigest;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.WeightFileOpener;
import dev.modelseal.manifest.Manifest;
import dev.modelseal.manifest.ModelDigests;
import dev.modelseal.manifest.ModelHasher;
import dev.modelseal.manifest.ModelTree;
import dev.modelseal.manifest.ResourceDigest;
import dev.modelseal.manifest.SerializationMethod;
import dev.modelseal.manifest.TensorSet;
import dev.modelseal.manifest.WeightFileTensors;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * The work of {@code modelseal hash}, apart from parsing its command line. Kept free of picocli so
 * that the start-up path ({@link HashArgs}) runs it without loading picocli at all.
 */
final class HashRun {
  private HashRun() {}

  /**
   * Hashes what {@code request} names and prints the result to {@code out}.
   *
   * @return the exit status
   * @throws UsageException the request cannot be carried out as given (before anything is printed)
   */
  static int run(HashRequest request, WeightFileOpener readers, PrintWriter out, PrintWriter err)
      throws IOException, ModelSealException, UsageException {
    if (request.shardSize().isPresent() && request.shardSize().getAsLong() <= 0) {
      throw new UsageException("--shard-size must be a positive number");
    }
    if (request.debug()) {
      err.println("modelseal: SHA-256 by " + DigestEngine.sha256Implementation());
    }
    ModelTree tree = ModelTree.enumerate(request.path(), request.ignore(), request.allowSymlinks());
    if (tree.entries().isEmpty()) {
      err.println("modelseal: " + request.path() + ": no files to hash");
      return ExitCode.NOTHING_TO_CHECK;
    }
    ModelHasher.Builder b =
        ModelHasher.builder().ignorePaths(request.ignore()).allowSymlinks(request.allowSymlinks());
    request.shardSize().ifPresent(b::shards);
    if (request.tensors()) {
      b.tensors(readers, ParseLimits.defaults());
    }
    // Progress only for a person watching: stderr a terminal, and never with --json piped.
    ProgressLine progress = null;
    if (Terminal.isTerminal(Terminal.STDERR)
        && !(request.json() && !Terminal.isTerminal(Terminal.STDOUT))) {
      progress = new ProgressLine(err, "hashing");
      b.progress(progress);
    }
    ModelHasher hasher = b.build();
    if (hasher.resourceCount(tree) > ModelHasher.MAX_RESOURCES) {
      throw new UsageException(
          request.shardSize().isPresent()
              ? "--shard-size "
                  + request.shardSize().getAsLong()
                  + " cuts the model into more than "
                  + ModelHasher.MAX_RESOURCES
                  + " pieces; use a larger shard size"
              : "the model has more than " + ModelHasher.MAX_RESOURCES + " files");
    }
    ModelDigests digests;
    try {
      digests = hasher.digest(tree);
    } finally {
      if (progress != null) {
        progress.clear();
      }
    }
    if (request.json()) {
      writeJson(request, out, digests);
    } else {
      writeText(request, out, digests, tree);
    }
    out.flush();
    return ExitCode.OK;
  }

  private static void writeText(
      HashRequest request, PrintWriter out, ModelDigests d, ModelTree tree) {
    Manifest m = d.manifest();
    String what =
        m.method() == SerializationMethod.FILES
            ? m.resources().size() + (m.resources().size() == 1 ? " file" : " files")
            : m.resources().size()
                + (m.resources().size() == 1 ? " shard" : " shards")
                + " of "
                + m.shardSize().orElseThrow()
                + " bytes";
    out.println(
        "root  "
            + m.rootDigest()
            + "  ("
            + what
            + ", "
            + ProgressLine.bytes(tree.totalBytes())
            + ")");
    for (ResourceDigest r : m.resources()) {
      out.println(r.digest().hex() + "  " + printable(r.name()));
    }
    if (request.tensors()) {
      out.println();
      out.println("tensor sets (CTM-1):");
      for (TensorSet s : d.tensorSets()) {
        out.println(s.ctm1().hex() + "  " + printable(s.path()));
      }
      out.println();
      out.println("tensors (CTD-1):");
      for (WeightFileTensors w : d.weightFiles()) {
        for (TensorDigest t : w.tensors()) {
          out.println(
              t.digest().hex()
                  + "  "
                  + printable(w.path())
                  + "  "
                  + printable(t.name())
                  + "  "
                  + t.dtype().tag()
                  + " "
                  + t.shape());
        }
      }
    }
  }

  private static void writeJson(HashRequest request, PrintWriter out, ModelDigests d)
      throws IOException {
    Manifest m = d.manifest();
    JsonFactory factory =
        JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();
    try (JsonGenerator g = factory.createGenerator(out)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("method", m.method().id());
      if (m.shardSize().isPresent()) {
        g.writeNumberField("shard_size", m.shardSize().getAsLong());
      } else {
        g.writeNullField("shard_size");
      }
      g.writeObjectFieldStart("root");
      g.writeStringField("algorithm", m.hashAlgorithm().id());
      g.writeStringField("digest", m.rootDigest().hex());
      g.writeEndObject();
      if (m.method() == SerializationMethod.FILES) {
        g.writeArrayFieldStart("files");
        for (ResourceDigest r : m.resources()) {
          g.writeStartObject();
          g.writeStringField("path", r.name());
          g.writeStringField("algorithm", r.digest().algorithm().id());
          g.writeStringField("digest", r.digest().hex());
          g.writeEndObject();
        }
      } else {
        g.writeArrayFieldStart("shards");
        for (ResourceDigest r : m.resources()) {
          // path:start:end, where only the path may itself contain ':'.
          String name = r.name();
          int endCut = name.lastIndexOf(':');
          int startCut = name.lastIndexOf(':', endCut - 1);
          g.writeStartObject();
          g.writeStringField("path", name.substring(0, startCut));
          g.writeNumberField("start", Long.parseLong(name.substring(startCut + 1, endCut)));
          g.writeNumberField("end", Long.parseLong(name.substring(endCut + 1)));
          g.writeStringField("algorithm", r.digest().algorithm().id());
          g.writeStringField("digest", r.digest().hex());
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      if (request.tensors()) {
        g.writeArrayFieldStart("tensor_sets");
        for (TensorSet s : d.tensorSets()) {
          g.writeStartObject();
          g.writeStringField("path", s.path());
          g.writeStringField("ctm1", s.ctm1().hex());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("tensors");
        for (WeightFileTensors w : d.weightFiles()) {
          for (TensorDigest t : w.tensors()) {
            g.writeStartObject();
            g.writeStringField("file", w.path());
            g.writeStringField("name", t.name());
            g.writeStringField("dtype", t.dtype().tag());
            g.writeArrayFieldStart("shape");
            for (int i = 0; i < t.shape().rank(); i++) {
              g.writeNumber(t.shape().dim(i));
            }
            g.writeEndArray();
            g.writeStringField("digest", t.digest().hex());
            g.writeEndObject();
          }
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    out.println();
  }

  /** Names come from files and folders: keep each on one printable line. */
  static String printable(String s) {
    return OneLine.of(s);
  }
}
