package dev.modelseal.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.modelseal.ModelSealException;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code modelseal hash PATH [--tensors] [--shard-size N] [--json]}. */
@Command(
    name = "hash",
    mixinStandardHelpOptions = true,
    description = {
      "Digests a model folder or file as OpenSSF Model Signing does: one SHA-256 per file, or per"
          + " shard with --shard-size, and the root digest over them.",
      "With --tensors, also the canonical digest of every tensor (CTD-1) and of every weight file"
          + " and sharded set (CTM-1), the same whichever format stores them."
    })
final class HashCommand implements Callable<Integer> {
  @Mixin DebugOption debug;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PATH", description = "Model folder or single file.")
  Path path;

  @Option(names = "--tensors", description = "Also digest every tensor of every weight file.")
  boolean tensors;

  @Option(
      names = "--shard-size",
      paramLabel = "N",
      description = "Digest each file in pieces of N bytes (OMS 'shards' method).")
  Long shardSize;

  @Option(names = "--json", description = "Machine-readable output (see README).")
  boolean json;

  @Option(
      names = "--ignore",
      paramLabel = "P",
      description = "Leave out this path (relative to the model, a whole-path prefix).")
  List<String> ignore = new ArrayList<>();

  @Option(
      names = "--allow-symlinks",
      description = "Follow symbolic links that stay inside the model.")
  boolean allowSymlinks;

  private final Optional<WeightFileOpener> readers;

  HashCommand() {
    this(WeightReaders.installed());
  }

  HashCommand(Optional<WeightFileOpener> readers) {
    this.readers = readers;
  }

  @Override
  public Integer call() throws IOException, ModelSealException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (shardSize != null && shardSize <= 0) {
      throw new ParameterException(spec.commandLine(), "--shard-size must be a positive number");
    }
    if (tensors && readers.isEmpty()) {
      err.println(
          "modelseal: --tensors: no reader available (this build has no weight-file readers)");
      return ExitCode.CANNOT_RUN;
    }
    if (debug.debug) {
      err.println("modelseal: SHA-256 by " + DigestEngine.sha256Implementation());
    }
    ModelTree tree = ModelTree.enumerate(path, ignore, allowSymlinks);
    if (tree.entries().isEmpty()) {
      err.println("modelseal: " + path + ": no files to hash");
      return ExitCode.NOTHING_TO_CHECK;
    }
    ModelHasher.Builder b = ModelHasher.builder().ignorePaths(ignore).allowSymlinks(allowSymlinks);
    if (shardSize != null) {
      b.shards(shardSize);
    }
    if (tensors) {
      b.tensors(readers.orElseThrow(), ParseLimits.defaults());
    }
    // Progress only for a person watching: stderr a terminal, and never with --json piped.
    ProgressLine progress = null;
    if (Terminal.isTerminal(Terminal.STDERR) && !(json && !Terminal.isTerminal(Terminal.STDOUT))) {
      progress = new ProgressLine(err, "hashing");
      b.progress(progress);
    }
    ModelHasher hasher = b.build();
    if (hasher.resourceCount(tree) > ModelHasher.MAX_RESOURCES) {
      throw new ParameterException(
          spec.commandLine(),
          "--shard-size "
              + shardSize
              + " cuts the model into more than "
              + ModelHasher.MAX_RESOURCES
              + " pieces; use a larger shard size");
    }
    ModelDigests digests;
    try {
      digests = hasher.digest(tree);
    } finally {
      if (progress != null) {
        progress.clear();
      }
    }
    if (json) {
      writeJson(out, digests);
    } else {
      writeText(out, digests, tree);
    }
    out.flush();
    return ExitCode.OK;
  }

  private void writeText(PrintWriter out, ModelDigests d, ModelTree tree) {
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
    if (tensors) {
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

  private void writeJson(PrintWriter out, ModelDigests d) throws IOException {
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
      if (tensors) {
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
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            c -> {
              if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                sb.append(String.format(java.util.Locale.ROOT, "\\x%02x", c));
              } else {
                sb.appendCodePoint(c);
              }
            });
    return sb.toString();
  }
}
